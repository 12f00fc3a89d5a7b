/**
 * What a column's *name* suggests: quasi-identifier, sensitive attribute, or a PII type.
 * English hints match whole words of the name (snake_case, kebab-case, camelCase), so
 * "age" matches "age" and "patient_age" but not "page" or "usage"; Chinese hints match
 * as substrings, since Chinese names have no word separators.
 */
import type { PiiType } from "./types.js";

interface Hints {
  en: readonly string[];
  zh: readonly string[];
}

const QUASI: Hints = {
  en: [
    "gender", "sex", "birth", "birthday", "birthdate", "dob", "age", "zip", "zipcode", "postcode", "postal",
    "district", "county", "region", "hukou", "occupation", "job", "profession", "ethnic", "ethnicity",
    "nationality", "education", "degree", "marital", "marriage",
  ],
  zh: [
    "性别", "出生", "生日", "年龄", "邮编", "邮政编码", "区划", "行政区", "籍贯", "户籍", "职业", "工种", "职务", "职称",
    "民族", "国籍", "学历", "文化程度", "学位", "婚姻", "所在地", "区县",
  ],
};

const SENSITIVE: Hints = {
  en: [
    "income", "salary", "wage", "wages", "pay", "diagnosis", "disease", "illness", "health", "medical", "medication",
    "religion", "religious", "faith", "criminal", "crime", "conviction", "political", "sexual", "orientation",
    "biometric", "fingerprint", "genetic", "disability", "deposit", "debt", "loan", "balance",
  ],
  zh: [
    "收入", "工资", "薪", "诊断", "疾病", "病", "健康", "医疗", "用药", "宗教", "信仰", "犯罪", "违法", "刑", "前科",
    "政治面貌", "党派", "性取向", "指纹", "人脸", "基因", "残疾", "存款", "余额", "负债", "借款", "贷款",
  ],
};

const PII: Partial<Record<PiiType, Hints>> = {
  address: { en: ["address", "addr", "residence"], zh: ["地址", "住址", "住所", "居住地", "户籍地", "通讯地址"] },
  resident_id: { en: ["idcard", "idno", "sfz", "sfzh"], zh: ["身份证", "证件号"] },
  mobile: { en: ["mobile", "phone", "tel", "cellphone"], zh: ["手机", "电话", "联系方式"] },
};

// "name" alone says little (company_name, city_name): an English column name hints at a
// person only if every word of it is from this vocabulary (name, full_name, patientName …).
const PERSON_WORDS = new Set([
  "name", "names", "full", "fullname", "real", "realname", "person", "user", "username", "contact", "first", "last",
  "given", "family", "surname", "patient", "applicant", "owner", "holder", "legal", "rep", "representative",
  "customer", "client", "member", "employee", "staff", "cardholder", "xm", "xingming",
]);
const PERSON_ZH = ["姓名", "名字", "联系人", "户主", "法人", "负责人", "患者", "申请人", "持卡人", "当事人", "经办人"];

/** Lower-case words of an identifier: splits on non-alphanumerics and camelCase humps. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function matches(name: string, hints: Hints): boolean {
  const ws = words(name);
  return hints.en.some((h) => ws.includes(h)) || hints.zh.some((h) => name.includes(h));
}

/** True if the column name suggests a quasi-identifier. */
export function nameSuggestsQuasi(name: string): boolean {
  return matches(name, QUASI);
}

/** True if the column name suggests a sensitive attribute. */
export function nameSuggestsSensitive(name: string): boolean {
  return matches(name, SENSITIVE);
}

/** True if the column name suggests PII type `t` (only types whose content test benefits from a hint). */
export function nameSuggestsPii(name: string, t: PiiType): boolean {
  if (t === "person_name") {
    const ws = words(name);
    if (PERSON_ZH.some((h) => name.includes(h))) return true;
    return ws.length > 0 && ws.some((w) => w.includes("name") || w === "contact" || w === "patient" || w === "applicant") && ws.every((w) => PERSON_WORDS.has(w));
  }
  const h = PII[t];
  return h !== undefined && matches(name, h);
}
