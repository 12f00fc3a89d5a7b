/**
 * A labelled corpus for PII discovery: valid values of every type from the shared fake
 * generators, and near misses built to fail exactly one rule (wrong check character,
 * impossible date, wrong prefix, bad province character, missing domain …), labelled "none".
 */
import { isValidResidentId, isValidUscc, luhnCheckDigit, residentIdCheckChar, usccCheckChar } from "../../policies/pii/checksums.js";
import {
  createRng,
  fakeAddress,
  fakeBankCard,
  fakeEmail,
  fakeIPv4,
  fakeIPv6,
  fakeMobile,
  fakePersonName,
  fakePlate,
  fakeResidentId,
  fakeUscc,
  type Rng,
} from "../../policies/pii/fake/index.js";
import { PII_TYPES, type PiiType } from "../../policies/pii/types.js";

export type Label = PiiType | "none";
export interface LabelledValue {
  value: string;
  truth: Label;
  /** Why a "none" value is tricky (which near miss it is). */
  kind: string;
}

const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** A different character from `alphabet` than `c`. */
function otherChar(rng: Rng, alphabet: string, c: string): string {
  let x = c;
  while (x === c) x = alphabet[rng.int(0, alphabet.length - 1)];
  return x;
}

function digits(rng: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

/** Short Chinese words found in non-name columns of public data (some start with a surname character). */
export const NON_NAME_WORDS = [
  "医疗", "教育", "交通", "正常", "已完成", "待审核", "合格", "不合格", "优秀", "良好", "高新区", "开发区", "张家口市",
  "黄河路", "金融业", "中国银行", "人民医院", "第一中学", "农业", "工业", "服务业", "制造业", "零售", "批发", "住宿",
  "餐饮", "信息技术", "房地产", "建筑", "卫生", "文化", "体育", "娱乐", "公共管理", "社会保障", "科学研究", "水利",
  "环境", "电力", "燃气", "采矿", "有限公司", "个体户", "事业单位", "机关", "社会团体", "北京", "上海", "广州", "深圳",
  "杭州", "南京", "武汉", "成都", "重庆", "天津", "苹果", "香蕉", "白菜", "黄金", "石油", "钢铁", "水泥", "煤炭",
  "汽车", "手机", "电脑", "同意", "拒绝", "汉族", "回族", "本科", "硕士",
];

/** Builds the corpus: `perType` valid values of each type plus near misses. */
export function buildCorpus(seed: number, perType: number): LabelledValue[] {
  const rng = createRng(seed);
  const out: LabelledValue[] = [];
  const add = (value: string, truth: Label, kind: string): void => {
    out.push({ value, truth, kind });
  };
  for (let i = 0; i < perType; i++) {
    add(fakeResidentId(rng), "resident_id", "valid");
    add(fakeMobile(rng), "mobile", "valid");
    add(fakeBankCard(rng), "bank_card", "valid");
    add(fakeUscc(rng), "uscc", "valid");
    add(fakeEmail(rng), "email", "valid");
    add(i % 4 === 0 ? fakeIPv6(rng) : fakeIPv4(rng), "ip", "valid");
    add(fakePlate(rng), "plate", "valid");
    add(fakePersonName(rng), "person_name", "valid");
    add(fakeAddress(rng), "address", "valid");
  }
  // A sprinkling of legacy 15-digit IDs (no check digit, 19YYMMDD birth date).
  for (let i = 0; i < perType / 10; i++) {
    const id18 = fakeResidentId(rng, { birth: new Date(Date.UTC(1940 + rng.int(0, 59), rng.int(0, 11), rng.int(1, 28))) });
    add(id18.slice(0, 6) + id18.slice(8, 17), "resident_id", "legacy15");
  }

  for (let i = 0; i < perType; i++) {
    // Resident ID with a wrong check character.
    const id = fakeResidentId(rng);
    add(id.slice(0, 17) + otherChar(rng, "0123456789X", id[17]), "none", "id-bad-check");
    // Resident ID with an impossible birth date but a correct check character.
    const body = id.slice(0, 10) + String(rng.int(13, 19)) + id.slice(12, 17);
    add(body + residentIdCheckChar(body), "none", "id-bad-date");
    // 11-digit numbers that are not mobiles (start 10, 11 or 12).
    add(`1${rng.int(0, 2)}${digits(rng, 9)}`, "none", "not-mobile-11");
    // Card-shaped number failing Luhn.
    const card = fakeBankCard(rng);
    add(card.slice(0, -1) + otherChar(rng, "0123456789", card.at(-1) as string), "none", "card-bad-luhn");
    // Random 16-digit number with a valid Luhn digit but no card prefix (starts 1).
    const noBin = "1" + digits(rng, 14);
    add(noBin + luhnCheckDigit(noBin), "none", "card-no-prefix");
    // USCC with a wrong check character.
    const u = fakeUscc(rng);
    add(u.slice(0, 17) + otherChar(rng, USCC_CHARSET, u[17]), "none", "uscc-bad-check");
    // Plates with a non-province first character, or with the letter O.
    const p = fakePlate(rng);
    add(rng.pick([..."中美日国省市"]) + p.slice(1), "none", "plate-bad-province");
    add(p.slice(0, 2) + "O" + p.slice(3), "none", "plate-letter-O");
    // E-mail-like strings without a (dotted) domain.
    const e = fakeEmail(rng);
    const local = e.split("@")[0];
    add(rng.pick([`${local}@`, `${local}@localhost`, `@${e.split("@")[1]}`, local + "." + e.split("@")[1]]), "none", "email-no-domain");
    // Not IPs: octet over 255, three octets, clock times, MAC addresses.
    add(
      rng.pick([
        `${rng.int(256, 999)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}`,
        `${rng.int(1, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}`,
        `${String(rng.int(0, 23)).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}`,
        Array.from({ length: 6 }, () => rng.int(0, 255).toString(16).padStart(2, "0")).join(":"),
      ]),
      "none",
      "not-ip",
    );
    // Plain numbers, amounts and dates.
    add(String(rng.int(0, 1_000_000)), "none", "number");
    add((rng.next() * 10000).toFixed(2), "none", "amount");
    add(`20${rng.int(10, 25)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`, "none", "date");
  }
  for (const w of NON_NAME_WORDS) add(w, "none", "word");
  // Place names without street or number: districts, not addresses.
  for (const w of ["北京市朝阳区", "浙江省杭州市", "广东省深圳市南山区", "四川省成都市武侯区"]) add(w, "none", "region-only");
  return out;
}

/** Sanity of the corpus itself, against the reference checksums. */
export function corpusIsConsistent(c: LabelledValue[]): boolean {
  return c.every((x) => {
    if (x.kind === "id-bad-check" || x.kind === "id-bad-date") return !isValidResidentId(x.value);
    if (x.truth === "resident_id") return isValidResidentId(x.value);
    if (x.kind === "uscc-bad-check") return !isValidUscc(x.value);
    if (x.truth === "uscc") return isValidUscc(x.value) && usccCheckChar(x.value.slice(0, 17)) === x.value[17];
    return true;
  });
}

export { PII_TYPES };

/**
 * Hand-written values in styles the fake generators do not produce (no house number,
 * numbered roads, compound surnames, minority names), to check the detectors are not
 * fitted to the generators. The last two names are known misses (see README).
 */
export const HANDWRITTEN: { address: string[]; person_name: string[] } = {
  address: [
    "上海市浦东新区张江镇科苑路88号", "广州市天河区体育西路191号", "深圳市南山区高新南七道", "江苏省南京市鼓楼区中山北路",
    "北京市朝阳区建国路93号院", "河北省保定市徐水区大王店镇东里村", "杭州市西湖区文三路478号华星时代广场A座",
    "湖北省武汉市洪山区珞喻路1037号", "天津市和平区南京路", "浙江省温州市鹿城区五马街15号", "福建省厦门市思明区鼓浪屿龙头路",
    "重庆市渝中区解放碑民族路188号", "山东省青岛市市南区香港中路10号", "陕西省西安市雁塔区小寨东路",
    "黑龙江省哈尔滨市道里区中央大街", "吉林省长春市朝阳区人民大街7088号", "河南省郑州市金水区花园路", "江西省南昌市东湖区八一大道",
    "安徽省合肥市蜀山区长江西路", "湖南省长沙市岳麓区麓山南路2号", "贵州省贵阳市南明区遵义路", "甘肃省兰州市城关区东岗西路",
    "朝阳区望京街道望京西园三区", "宁夏银川市兴庆区解放西街", "云南省昆明市五华区青年路432号", "中山路88号",
    "某某县城关镇新华街3号2单元501室", "广西南宁市青秀区民族大道136号",
  ],
  person_name: [
    "张伟明", "王芳菲", "李娜", "刘洋", "陈静怡", "杨帆", "黄磊", "赵敏", "周晓杰", "吴昊天", "徐婷婷", "孙浩然", "马晓丽",
    "朱志强", "胡雪梅", "郭靖宇", "何佳", "林子涵", "高圆", "罗永", "欧阳娜", "司马云飞", "诸葛明远", "上官婉清", "郑爽",
    "梁晨", "谢宇航", "宋佳音", "唐悦", "韩梅", "冯建军", "邓超群", "曹雪", "彭宇", "曾志伟", "肖静", "田亮", "董雨欣",
    "袁立新", "潘一鸣", "覃海燕", "莫小贝", "阮星竹", "钟离春", "买买提·艾力", "艾克拜尔",
  ],
};
