import { expect, test } from "vitest";
import { nameSuggestsPii, nameSuggestsQuasi, nameSuggestsSensitive } from "../../policies/pii/column-hints.js";

test("quasi hints match whole English words and Chinese substrings", () => {
  for (const n of ["age", "patient_age", "ageYears", "gender", "birth_date", "zip", "出生日期", "患者年龄", "民族", "学历"]) {
    expect([n, nameSuggestsQuasi(n)]).toEqual([n, true]);
  }
  for (const n of ["page", "usage", "image_url", "amount", "名称", "sexton_count"]) expect([n, nameSuggestsQuasi(n)]).toEqual([n, false]);
});

test("sensitive hints", () => {
  for (const n of ["monthly_income", "salary", "diagnosis", "诊断结果", "宗教信仰", "月收入", "criminalRecord"]) {
    expect([n, nameSuggestsSensitive(n)]).toEqual([n, true]);
  }
  for (const n of ["paypal_id", "city", "amount", "备注"]) expect([n, nameSuggestsSensitive(n)]).toEqual([n, false]);
});

test("a person-name hint needs a name made only of person words", () => {
  for (const n of ["name", "full_name", "patientName", "contact_name", "姓名", "法人代表", "申请人"]) {
    expect([n, nameSuggestsPii(n, "person_name")]).toEqual([n, true]);
  }
  for (const n of ["company_name", "city_name", "file_name", "product", "名称", "user_id"]) {
    expect([n, nameSuggestsPii(n, "person_name")]).toEqual([n, false]);
  }
});
