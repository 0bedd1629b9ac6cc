// The patient banner follows the NHS pattern, in UK date form whatever the machine's locale.
import { describe, expect, it } from "vitest";
import { summary } from "../documents/test-support";
import { formatDate, renderBanner } from "./banner";

describe("the patient banner", () => {
  it("shows name, born with age, gender, NHS number, MRN and postcode", () => {
    const container = document.createElement("div");
    renderBanner(container, summary("1001", "WHITFIELD, Amara").banner);
    const text = container.textContent ?? "";
    expect(container.querySelector("#banner-name")?.textContent).toBe("WHITFIELD, Amara");
    expect(container.querySelector("#banner-dob")?.textContent).toBe("14-Mar-1958 (68y)");
    expect(container.querySelector("#banner-gender")?.textContent).toBe("Female");
    expect(container.querySelector("#banner-nhs")?.textContent).toBe("943 476 5919");
    expect(container.querySelector("#banner-postcode")?.textContent).toBe("AB1 2CD");
    expect(text.indexOf("Born")).toBeLessThan(text.indexOf("NHS No."));
  });

  it("writes dates the unambiguous UK way", () => {
    expect(formatDate("1972-11-02")).toBe("02-Nov-1972");
    expect(formatDate("not a date")).toBe("not a date");
  });
});
