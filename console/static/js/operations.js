// Following a long-running operation (a bulletin, an import): poll GET /api/operations/{id} and show
// its progress in a panel holding [data-testid=operation-title|operation-status|operation-progress|
// operation-message|operation-links]. Any page may use it; the operation is the signed-in user's.
import { api, showMessage } from "/static/js/console.js";

const POLL_MS = 500;
const STATES = { running: "进行中", succeeded: "已完成", failed: "失败" };

function part(panel, name) {
  return panel.querySelector(`[data-testid="operation-${name}"]`);
}

function show(panel, operation) {
  const percent = operation.total ? Math.round((100 * operation.done) / operation.total) : 0;
  const bar = part(panel, "progress");
  bar.setAttribute("aria-valuenow", String(percent));
  bar.firstElementChild.style.width = `${percent}%`;
  part(panel, "title").textContent = operation.title;
  const step = operation.state === "running" && operation.step ? `：${operation.step}` : "";
  part(panel, "status").textContent = `${STATES[operation.state] ?? operation.state}${step}（${operation.done}/${operation.total}）`;
  panel.dataset.state = operation.state;
  showMessage(part(panel, "message"), operation.error ?? "", "error");
  const links = part(panel, "links");
  links.replaceChildren(
    ...operation.links.map((link) => {
      const anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.label;
      anchor.className = "button";
      return anchor;
    }),
  );
}

// Resolves with the operation once it has finished (succeeded or failed).
export async function followOperation(id, panel) {
  panel.hidden = false;
  panel.dataset.operation = id;
  for (;;) {
    let operation;
    try {
      operation = await api(`/api/operations/${encodeURIComponent(id)}`);
    } catch (error) {
      showMessage(part(panel, "message"), error.message, "error");
      panel.dataset.state = "failed";
      throw error;
    }
    show(panel, operation);
    if (operation.state !== "running") return operation;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
