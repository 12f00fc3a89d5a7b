/** Fake vehicle plates and postal addresses consistent with GB/T 2260 districts. */
import { allDistricts, resolveDistrict, type District } from "./districts.js";
import type { Rng } from "./rng.js";

const PROVINCE_ABBR = [..."京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"];
// Plates never use I or O (confusable with 1 and 0).
const PLATE_LETTERS = [..."ABCDEFGHJKLMNPQRSTUVWXYZ"];
const DIGITS = [..."0123456789"];
// City letters actually issued stop well before Z in most provinces.
const CITY_LETTERS = PLATE_LETTERS.slice(0, 16);

/** A fake plate: ordinary (京A12345, at most two letters in the serial) or new-energy (京AD12345, 京A12345F). */
export function fakePlate(rng: Rng): string {
  const head = rng.pick(PROVINCE_ABBR) + rng.pick(CITY_LETTERS);
  const kind = rng.next();
  if (kind < 0.12) {
    // Small new-energy car: D (electric) / F (hybrid), one letter or digit, four digits.
    const second = rng.next() < 0.5 ? rng.pick(DIGITS) : rng.pick(PLATE_LETTERS);
    return head + (rng.next() < 0.7 ? "D" : "F") + second + String(rng.int(0, 9999)).padStart(4, "0");
  }
  if (kind < 0.15) {
    // Large new-energy vehicle: five digits then D / F.
    return head + String(rng.int(0, 99999)).padStart(5, "0") + (rng.next() < 0.7 ? "D" : "F");
  }
  let serial = "";
  let letters = 0;
  for (let i = 0; i < 5; i++) {
    if (letters < 2 && rng.next() < 0.15) {
      serial += rng.pick(PLATE_LETTERS);
      letters++;
    } else serial += rng.pick(DIGITS);
  }
  return head + serial;
}

const STREET_STEMS = [
  "人民", "解放", "中山", "建设", "和平", "文化", "新华", "胜利", "东风", "朝阳", "长江", "黄河", "青年", "光明",
  "团结", "幸福", "繁荣", "民主", "工业", "学府", "科技", "金融", "滨河", "湖滨", "环城", "迎宾", "振兴", "育才",
] as const;
const STREET_SUFFIXES = ["路", "路", "路", "街", "大街", "大道", "巷"] as const;
const DIRECTIONS = ["", "", "", "东", "西", "南", "北", "中"] as const;

/** Province + city + county as written in an address, without repeating placeholder levels. */
function regionText(d: District): string {
  if (d.city === d.province || d.city === d.county) return d.province + d.county;
  return d.province + d.city + d.county;
}

/** A fake address: province, city and county names of one district, then street, number and often a flat. */
export function fakeAddress(rng: Rng, opts: { districtCode?: string } = {}): string {
  let d: District;
  if (opts.districtCode === undefined) {
    const ds = allDistricts();
    d = ds[Math.floor(rng.next() * ds.length)];
  } else d = resolveDistrict(rng, opts.districtCode);
  let s = regionText(d) + rng.pick(STREET_STEMS) + rng.pick(DIRECTIONS) + rng.pick(STREET_SUFFIXES) + rng.int(1, 999) + "号";
  if (rng.next() < 0.6) s += `${rng.int(1, 30)}栋${rng.int(1, 6)}单元${rng.int(1, 33)}0${rng.int(1, 8)}室`;
  return s;
}
