import { describe, expect, it } from "vitest";
import { parseUkDate } from "./uk-date";

describe("UK dates typed in filters", () => {
  it("reads day first, whatever the machine's locale", () => {
    expect(parseUkDate("02/12/2026")).toBe("2026-12-02");
    expect(parseUkDate("4.3.1958")).toBe("1958-03-04");
    expect(parseUkDate(" 14-03-1958 ")).toBe("1958-03-14");
  });

  it("an empty box means no limit", () => {
    expect(parseUkDate("")).toBe("");
  });

  it("refuses days that do not exist and US order beyond the 12th", () => {
    expect(parseUkDate("31/02/2026")).toBeNull();
    expect(parseUkDate("12/31/2026")).toBeNull();
    expect(parseUkDate("2026-12-02")).toBeNull();
    expect(parseUkDate("yesterday")).toBeNull();
  });
});
