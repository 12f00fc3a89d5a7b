/** Maps a PII type to its fake generator, for callers that work from column tags. */
import type { PiiType } from "../types.js";
import { fakeBankCard, fakeMobile, fakeResidentId, fakeUscc } from "./identifiers.js";
import { fakePersonName } from "./names.js";
import { fakeEmail, fakeIPv4, fakeIPv6 } from "./network.js";
import { fakeAddress, fakePlate } from "./places.js";
import type { Rng } from "./rng.js";

/** A fake value of PII type `t`; for "ip", `ipv6Share` (0..1) is the chance of an IPv6 address. */
export function fakeFor(t: PiiType, rng: Rng, ipv6Share = 0): string {
  switch (t) {
    case "resident_id":
      return fakeResidentId(rng);
    case "mobile":
      return fakeMobile(rng);
    case "bank_card":
      return fakeBankCard(rng);
    case "uscc":
      return fakeUscc(rng);
    case "email":
      return fakeEmail(rng);
    case "ip":
      return ipv6Share > 0 && rng.next() < ipv6Share ? fakeIPv6(rng) : fakeIPv4(rng);
    case "plate":
      return fakePlate(rng);
    case "person_name":
      return fakePersonName(rng);
    case "address":
      return fakeAddress(rng);
  }
}
