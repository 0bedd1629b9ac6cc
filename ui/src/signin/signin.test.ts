// A refused sign-in is announced (role="alert") and tied to the fields it is about: each field
// names the error as its description and is marked invalid until the next try.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadPage, settle } from "../documents/test-support";
import { byId } from "../shell/dom";

const backend = vi.hoisted(() => ({ signIn: vi.fn() }));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));

const wrong = { code: "wrong_credentials", message: "The user name or password is incorrect" };

/** The text a field's aria-describedby points at. */
function description(field: HTMLElement): string {
  const ids = (field.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
  return ids.map((id) => byId(id).textContent ?? "").join(" ");
}

let signin: typeof import("./signin");

beforeEach(async () => {
  vi.resetModules();
  backend.signIn.mockReset();
  loadPage();
  signin = await import("./signin");
  signin.initSignIn(() => undefined);
  byId<HTMLInputElement>("username").value = "dr.okafor";
  byId<HTMLInputElement>("password").value = "Not-The-Password-1!";
});

describe("a refused sign-in", () => {
  it("is announced as an alert and read as the description of both fields, which are marked invalid", async () => {
    backend.signIn.mockRejectedValueOnce(wrong);
    byId<HTMLFormElement>("signin-form").requestSubmit();
    await settle();
    expect(byId("signin-error").getAttribute("role")).toBe("alert");
    for (const id of ["username", "password"]) {
      expect(description(byId(id))).toBe(wrong.message);
      expect(byId(id).getAttribute("aria-invalid")).toBe("true");
    }
    expect(document.activeElement?.id).toBe("password");
  });

  it("stops marking the fields invalid when the user tries again", async () => {
    backend.signIn.mockRejectedValueOnce(wrong).mockReturnValueOnce(new Promise(() => undefined));
    byId<HTMLFormElement>("signin-form").requestSubmit();
    await settle();
    byId<HTMLFormElement>("signin-form").requestSubmit();
    await settle();
    for (const id of ["username", "password"]) {
      expect(byId(id).hasAttribute("aria-invalid")).toBe(false);
      expect(description(byId(id))).toBe("");
    }
  });

  it("a session that ended is said on the form without marking either field invalid", () => {
    signin.focusSignIn("Your session has ended. Please sign in again.");
    expect(byId("signin-error").textContent).toBe("Your session has ended. Please sign in again.");
    expect(byId("password").hasAttribute("aria-invalid")).toBe(false);
  });
});
