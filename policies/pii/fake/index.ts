/** Seeded, format-valid fake PII generators (check digits included). */
export { createRng, deriveSeed, type Rng } from "./rng.js";
export { randomDistrict, allDistricts, districtByCode, type District } from "./districts.js";
export { fakeResidentId, fakeMobile, fakeBankCard, fakeUscc } from "./identifiers.js";
export { fakePersonName, fakeRareName, fakeSurname } from "./names.js";
export { fakeEmail, fakeIPv4, fakeIPv6 } from "./network.js";
export { fakePlate, fakeAddress } from "./places.js";
export { fakeFor } from "./by-type.js";
