/**
 * Fake Chinese personal names: a surname drawn by its approximate share of the
 * population (2020 census order of magnitude) and one or two given-name characters.
 */
import type { Rng } from "./rng.js";

// [surname, share in per-mille]; the tail is flattened, which is enough for fake data.
const SURNAMES: readonly (readonly [string, number])[] = [
  ["王", 71], ["李", 70], ["张", 66], ["刘", 54], ["陈", 45], ["杨", 31], ["黄", 24], ["赵", 22],
  ["吴", 20], ["周", 19], ["徐", 14], ["孙", 13], ["马", 12], ["朱", 12], ["胡", 11], ["郭", 11],
  ["何", 10], ["林", 9.7], ["高", 9.6], ["罗", 9], ["郑", 8], ["梁", 7.8], ["谢", 7], ["宋", 6.5],
  ["唐", 6], ["许", 6], ["韩", 5.5], ["冯", 5.3], ["邓", 5.3], ["曹", 5], ["彭", 4.9], ["曾", 4.8],
  ["肖", 4.7], ["田", 4.6], ["董", 4.5], ["袁", 4.3], ["潘", 4.1], ["于", 4.1], ["蒋", 4], ["蔡", 4],
  ["余", 3.9], ["杜", 3.8], ["叶", 3.7], ["程", 3.6], ["苏", 3.4], ["魏", 3.3], ["吕", 3.3], ["丁", 3.2],
  ["任", 3.1], ["沈", 3], ["姚", 2.9], ["卢", 2.8], ["姜", 2.7], ["崔", 2.6], ["钟", 2.5], ["谭", 2.5],
  ["陆", 2.4], ["汪", 2.3], ["范", 2.3], ["金", 2.2], ["石", 2.2], ["廖", 2.1], ["贾", 2], ["夏", 2],
  ["韦", 2], ["付", 1.9], ["方", 1.9], ["白", 1.8], ["邹", 1.8], ["孟", 1.7], ["熊", 1.7], ["秦", 1.7],
  ["邱", 1.6], ["江", 1.6], ["尹", 1.5], ["薛", 1.5], ["闫", 1.4], ["段", 1.4], ["雷", 1.4], ["侯", 1.3],
  ["龙", 1.3], ["史", 1.3], ["陶", 1.2], ["黎", 1.2], ["贺", 1.2], ["顾", 1.2], ["毛", 1.2], ["郝", 1.1],
  ["龚", 1.1], ["邵", 1.1], ["万", 1], ["钱", 1], ["严", 1], ["覃", 1], ["武", 1], ["戴", 1],
  ["莫", 0.9], ["孔", 0.9], ["向", 0.9], ["汤", 0.8], ["欧阳", 0.5], ["司马", 0.1], ["上官", 0.1], ["诸葛", 0.1],
];

const GIVEN = [
  ..."伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文辉玲飞鹏宇浩然",
  ..."子轩梓涵一诺欣怡雨萱思远博文俊杰嘉怡佳琪晨阳梦瑶天佑浩宇若曦锦程紫萱家豪",
  ..."丹亮林婷玉萍琳颖慧斌波宁燕凤海峰雪梅春兰晓东新民永安德昌瑞祥振宏立荣",
];

// Cumulative weights, built once, searched by bisection per call.
const CUMULATIVE: Float64Array = (() => {
  const c = new Float64Array(SURNAMES.length);
  let acc = 0;
  for (let i = 0; i < SURNAMES.length; i++) c[i] = acc += SURNAMES[i][1];
  return c;
})();
const TOTAL = CUMULATIVE[CUMULATIVE.length - 1];

/** A surname drawn with its population weight. */
export function fakeSurname(rng: Rng): string {
  const x = rng.next() * TOTAL;
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return SURNAMES[lo][0];
}

/** A fake full name: weighted surname plus one (30 %) or two given characters. */
export function fakePersonName(rng: Rng): string {
  const s = fakeSurname(rng);
  const g1 = GIVEN[Math.floor(rng.next() * GIVEN.length)];
  if (rng.next() < 0.3) return s + g1;
  return s + g1 + GIVEN[Math.floor(rng.next() * GIVEN.length)];
}

/**
 * A rarer-looking name (surname + three given characters) from a far larger space: the
 * fallback when common-looking fakes keep colliding with a large raw name column.
 */
export function fakeRareName(rng: Rng): string {
  let s = fakeSurname(rng);
  for (let i = 0; i < 3; i++) s += GIVEN[Math.floor(rng.next() * GIVEN.length)];
  return s;
}
