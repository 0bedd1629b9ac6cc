// A minimal W3C WebDriver client over fetch: enough to drive the Tauri window via tauri-driver
// and a headless Chromium via chromedriver.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

// Keys that stay pressed until they come again in the same `keys()` text (as in WebDriver's
// "element send keys"): Shift, Control, Alt, Meta.
const MODIFIERS = new Set(["\uE008", "\uE009", "\uE00A", "\uE03D"]);

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /**
   * A new session. `target` is the desktop app's path (tauri-driver launches it) or a W3C
   * capabilities object for a browser (`{ browserName: "chrome", "goog:chromeOptions": … }`).
   */
  static async create(base, target, timeoutMs = 60000) {
    const alwaysMatch =
      typeof target === "string" ? { browserName: "wry", "tauri:options": { application: target } } : target;
    const body = { capabilities: { alwaysMatch } };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const value = await request("POST", `${base}/session`, body);
        return new Session(base, value.sessionId);
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await sleep(500);
      }
    }
  }

  cmd(method, path, body) {
    return request(method, `${this.base}/session/${this.id}${path}`, body);
  }

  /** Loads `url` in the browser; resolves once the page has loaded. */
  navigate(url) {
    return this.cmd("POST", "/url", { url });
  }

  currentUrl() {
    return this.cmd("GET", "/url");
  }

  async find(css) {
    const value = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this, value[ELEMENT]);
  }

  async findAll(css) {
    const value = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return value.map((v) => new Element(this, v[ELEMENT]));
  }

  /** Polls until `css` matches a displayed element. */
  async waitFor(css, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const el = await this.find(css);
        if (await el.displayed()) return el;
      } catch (e) {
        last = e;
      }
      await sleep(150);
    }
    throw new Error(`timed out waiting for ${css}: ${last ?? "not displayed"}`);
  }

  async waitUntil(check, what, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await sleep(150);
    }
    throw new Error(`timed out waiting until ${what}`);
  }

  /** Waits for the field, clears it and types `text`. */
  async fill(css, text) {
    const el = await this.waitFor(css);
    await el.clear();
    await el.type(text);
    return el;
  }

  /** Runs `script` in the page (arguments as `arguments[i]`) and returns its result. */
  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Like `execute`, for scripts that finish by calling `arguments[arguments.length - 1]`. */
  executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  activeElement() {
    return this.cmd("GET", "/element/active").then((v) => new Element(this, v[ELEMENT]));
  }

  /**
   * Sends keys to whatever has focus (keyboard-only navigation). A modifier stays down until it
   * comes again: "\uE009f\uE009" is Ctrl+F.
   */
  async keys(text) {
    const held = new Set();
    const actions = [];
    for (const c of text) {
      if (MODIFIERS.has(c)) {
        actions.push({ type: held.has(c) ? "keyUp" : "keyDown", value: c });
        if (held.has(c)) held.delete(c);
        else held.add(c);
      } else {
        actions.push({ type: "keyDown", value: c }, { type: "keyUp", value: c });
      }
    }
    for (const c of held) actions.push({ type: "keyUp", value: c });
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "kbd", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  close() {
    return request("DELETE", `${this.base}/session/${this.id}`).catch(() => undefined);
  }
}

export class Element {
  constructor(session, id) {
    this.s = session;
    this.id = id;
  }
  cmd(method, path, body) {
    return this.s.cmd(method, `/element/${this.id}${path}`, body);
  }
  click() {
    return this.cmd("POST", "/click", {});
  }
  clear() {
    return this.cmd("POST", "/clear", {});
  }
  type(text) {
    return this.cmd("POST", "/value", { text });
  }
  text() {
    return this.cmd("GET", "/text");
  }
  attr(name) {
    return this.cmd("GET", `/attribute/${name}`);
  }
  prop(name) {
    return this.cmd("GET", `/property/${name}`);
  }
  css(name) {
    return this.cmd("GET", `/css/${name}`);
  }
  displayed() {
    return this.cmd("GET", "/displayed");
  }
  tag() {
    return this.cmd("GET", "/name");
  }
}

async function request(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
