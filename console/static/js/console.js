// What every page shares: JSON requests to the console's /api with the session's CSRF token.
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {
  // `body`: the whole answer, for pages that show more than its detail (field errors).
  constructor(status, detail, body = null) {
    super(detail);
    this.status = status;
    this.body = body;
  }
}

// `body`: sent as JSON, or as it is when it is FormData (a file upload; the browser sets its type).
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined || form ? body : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    throw new ApiError(401, "请先登录");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? `请求失败（${response.status}）`, data);
  return data;
}

export function showMessage(element, text, kind = "error") {
  element.textContent = text;
  element.className = `alert ${kind}`;
  element.hidden = !text;
}

// As the server writes instants on its pages (2026-11-27 13:34), in Beijing time whatever the
// browser's own time zone.
const BEIJING = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", hourCycle: "h23",
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
});

export function localTime(iso) {
  if (!iso) return "";
  const part = Object.fromEntries(BEIJING.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

function valueOf(element) {
  if (element.dataset.kind === "flag") return element.checked;
  if (element.dataset.kind === "list") return [...element.selectedOptions].map((option) => option.value);
  return element.value;
}

// A form's named fields as the nested JSON the server expects ("appellant.phone" → {appellant: {phone}}).
export function fieldsOf(form) {
  const body = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    const path = element.name.split(".");
    const last = path.pop();
    let target = body;
    for (const part of path) target = target[part] ??= {};
    target[last] = valueOf(element);
  }
  return body;
}

// The server's problems by field path ({"appellant.phone": "..."}): marked on each field.
export function markFields(form, errors) {
  for (const element of form.elements) {
    if (!element.name) continue;
    const problem = errors?.[element.name] ?? "";
    element.setCustomValidity(problem);
    element.toggleAttribute("aria-invalid", Boolean(problem));
    element.title = problem;
  }
}
