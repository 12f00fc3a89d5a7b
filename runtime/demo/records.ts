/**
 * One realistic record per call: people, enterprises and the events that link them.
 * Every identifier comes from the fake generators, so check characters are valid and a
 * person's resident ID, district, address, birth date and gender agree with each other.
 */
import {
  fakeAddress, fakeBankCard, fakeMobile, fakePersonName, fakeResidentId, fakeUscc, randomDistrict, type District, type Rng,
} from "../../policies/pii/fake/index.js";

const DAY_MS = 86_400_000;
const BIRTH_FROM = Date.UTC(1945, 0, 1) / DAY_MS;
const BIRTH_TO = Date.UTC(2008, 11, 31) / DAY_MS;

/** Column names of people.csv, in order. */
export const PEOPLE_COLUMNS = ["person_no", "name", "id_number", "gender", "birth_date", "mobile", "bank_card", "district_code", "address", "income", "diagnosis"] as const;
/** Column names of enterprises.csv, in order. */
export const ENTERPRISE_COLUMNS = ["uscc", "name", "industry", "registered_capital", "district_code", "established"] as const;
/** Column names of events.csv, in order. */
export const EVENT_COLUMNS = ["event_no", "id_number", "uscc", "kind", "event_date", "amount"] as const;

// Outpatient diagnoses (ICD-10 names as written in Chinese records); "" is a visit-free year.
const DIAGNOSES = ["", "", "", "", "高血压", "2型糖尿病", "上呼吸道感染", "慢性胃炎", "腰椎间盘突出", "冠心病", "支气管哮喘", "高脂血症", "骨关节炎", "抑郁状态"] as const;
// GB/T 4754 sections, with the weights of a provincial enterprise register.
const INDUSTRIES = ["批发和零售业", "批发和零售业", "批发和零售业", "制造业", "制造业", "租赁和商务服务业", "建筑业", "科学研究和技术服务业", "信息传输、软件和信息技术服务业", "住宿和餐饮业", "交通运输、仓储和邮政业", "农、林、牧、渔业", "房地产业", "居民服务、修理和其他服务业"] as const;
const NAME_STEMS = ["华信", "恒通", "鑫源", "博远", "瑞丰", "中科", "新航", "金桥", "宏达", "天成", "云图", "黔兴", "安和", "正泰", "德润", "汇智", "嘉禾", "卓越"] as const;
const NAME_KINDS = ["科技有限公司", "商贸有限公司", "实业有限公司", "建设工程有限公司", "信息技术有限公司", "餐饮管理有限公司", "物流有限公司", "农业发展有限公司"] as const;
const EVENT_KINDS = ["社保缴纳", "社保缴纳", "社保缴纳", "个税代扣", "个税代扣", "劳动合同备案", "公积金缴存"] as const;

const pad = (n: number, w: number) => String(n).padStart(w, "0");
// Formatting a Date costs more than the rest of a row: days repeat, so each is formatted once.
const dayText = new Map<number, string>();
function isoDay(day: number): string {
  let t = dayText.get(day);
  if (t === undefined) {
    t = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayText.set(day, t);
  }
  return t;
}

/** Quotes a CSV field only when it needs it. */
export function csvField(v: string | number): string {
  if (typeof v === "number") return String(v);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A person: resident ID built from the same district, birth date and gender as the other columns. */
export function personRow(rng: Rng, n: number): (string | number)[] {
  const d: District = randomDistrict(rng);
  const day = rng.int(BIRTH_FROM, BIRTH_TO);
  const birth = new Date(day * DAY_MS);
  const gender = rng.next() < 0.5 ? "M" : "F";
  const id = fakeResidentId(rng, { districtCode: d.code, birth, gender });
  const age = 2026 - birth.getUTCFullYear();
  // Income rises to middle age and has a long right tail (log-normal-ish), in yuan per month.
  const base = age < 22 ? 1800 : age > 62 ? 3200 : 4200 + (age - 22) * 90;
  const income = Math.round(base * Math.exp((rng.next() + rng.next() + rng.next() - 1.5) * 0.7) / 10) * 10;
  return [
    `P${pad(n, 9)}`, fakePersonName(rng), id, gender === "M" ? "男" : "女", isoDay(day), fakeMobile(rng), fakeBankCard(rng), d.code,
    fakeAddress(rng, { districtCode: d.code }), income, rng.pick(DIAGNOSES),
  ];
}

/** An enterprise: USCC registered in the same district as the enterprise. */
export function enterpriseRow(rng: Rng): (string | number)[] {
  const d = randomDistrict(rng);
  // Trade names carry the short city name: 贵阳市 → 贵阳, 黔东南苗族侗族自治州 → 黔东南.
  const city = /族|自治/.test(d.city) ? d.city.slice(0, d.city.length > 6 ? 3 : 2) : d.city.replace(/(市|地区|盟)$/, "");
  const capital = Math.round(10 ** (1 + rng.next() * 4)); // 10 … 100,000 万元
  return [
    fakeUscc(rng, { districtCode: d.code }), `${city}${rng.pick(NAME_STEMS)}${rng.pick(NAME_KINDS)}`, rng.pick(INDUSTRIES), capital, d.code,
    isoDay(rng.int(Date.UTC(1995, 0, 1) / DAY_MS, Date.UTC(2025, 11, 31) / DAY_MS)),
  ];
}

/** An event linking a person (by resident ID) to an enterprise (by USCC). */
export function eventRow(rng: Rng, n: number, personId: string, uscc: string): (string | number)[] {
  const kind = rng.pick(EVENT_KINDS);
  const amount = kind === "劳动合同备案" ? 0 : Math.round(200 + rng.next() * 3000);
  return [`E${pad(n, 10)}`, personId, uscc, kind, isoDay(rng.int(Date.UTC(2024, 0, 1) / DAY_MS, Date.UTC(2025, 11, 31) / DAY_MS)), amount];
}
