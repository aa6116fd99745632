// One process instance on its diagram, kept current by the console's event stream: active elements
// marked and counted, completed elements and taken flows in green, incidents in red with their
// message; incidents, called instances and variables listed below; retry, resolve and cancel.
import { api, showMessage, localTime } from "/static/js/console.js";

const container = document.getElementById("instance-diagram");
const key = container.dataset.instanceKey;
const mayOperate = container.dataset.mayOperate === "true";
const message = document.getElementById("instance-message");
const liveStatus = document.querySelector('[data-testid="live-status"]');
const stateBadge = document.querySelector('[data-testid="instance-state"]');
const incidentBadge = document.querySelector('[data-testid="instance-has-incident"]');
const endDate = document.querySelector('[data-testid="instance-end"]');
const cancelButton = document.getElementById("instance-cancel");
const cancelDialog = document.getElementById("cancel-dialog");

const OVERLAY = "instance-state";
const ERROR_TYPES = {
  JOB_NO_RETRIES: "任务重试次数已用尽",
  CONDITION_ERROR: "条件表达式错误",
  EXTRACT_VALUE_ERROR: "取值表达式错误",
  IO_MAPPING_ERROR: "变量映射错误",
  CALLED_ELEMENT_ERROR: "调用的流程有误",
  UNHANDLED_ERROR_EVENT: "错误事件未被处理",
  MESSAGE_SIZE_EXCEEDED: "消息过大",
  CALLED_DECISION_ERROR: "调用的决策有误",
  DECISION_EVALUATION_ERROR: "决策计算出错",
  FORM_NOT_FOUND: "表单不存在",
  RESOURCE_NOT_FOUND: "资源不存在",
  UNKNOWN: "未知错误",
};

const viewer = new window.BpmnJS({ container });
let marked = [];
let variablesDigest = null;
let snapshots = 0;

function element(tag, { text, className, title, testid, attrs } = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  if (title) node.title = title;
  if (testid) node.dataset.testid = testid;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  return node;
}

function row(...cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell ?? "";
    tr.append(td);
  }
  return tr;
}

function elementName(elementId) {
  const shape = viewer.get("elementRegistry").get(elementId);
  return shape?.businessObject?.name || elementId;
}

async function loadDiagram() {
  const response = await fetch(`/api/instances/${key}/diagram`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`无法加载流程图（${response.status}）`);
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport", "auto");
}

function mark(snapshot) {
  const canvas = viewer.get("canvas");
  const overlays = viewer.get("overlays");
  const registry = viewer.get("elementRegistry");
  for (const [id, marker] of marked) canvas.removeMarker(id, marker);
  marked = [];
  overlays.remove({ type: OVERLAY });
  const add = (id, marker) => {
    if (!registry.get(id)) return false;
    canvas.addMarker(id, marker);
    marked.push([id, marker]);
    return true;
  };
  const messages = new Map();
  for (const incident of snapshot.incidents) {
    messages.set(incident.elementId, [...(messages.get(incident.elementId) ?? []), incident.errorMessage]);
  }
  for (const counts of snapshot.elements) {
    const id = counts.elementId;
    if (counts.completed > 0) add(id, "mx-completed");
    if (counts.active > 0 && add(id, "mx-active")) {
      overlays.add(id, OVERLAY, {
        position: { bottom: 12, right: 12 },
        html: element("span", {
          text: String(counts.active),
          className: "mx-count active",
          title: `进行中：${counts.active}`,
          attrs: { "data-element-id": id, "data-testid": "active-count" },
        }),
      });
    }
    if (counts.incidents > 0 && add(id, "mx-incident")) {
      const text = (messages.get(id) ?? []).join("\n");
      overlays.add(id, OVERLAY, {
        position: { bottom: 12, left: -12 },
        html: element("span", {
          text: String(counts.incidents),
          className: "mx-count incident",
          title: text || `故障：${counts.incidents}`,
          attrs: { "data-element-id": id, "data-testid": "incident-count" },
        }),
      });
    }
  }
  for (const [id, texts] of messages) {
    if (!registry.get(id)) continue;
    overlays.add(id, OVERLAY, {
      position: { top: -8, left: 0 },
      html: element("div", {
        text: texts[0],
        className: "mx-incident-note",
        title: texts.join("\n"),
        attrs: { "data-element-id": id, "data-testid": "incident-note" },
      }),
    });
  }
  for (const flow of snapshot.flows) add(flow, "mx-taken");
  // A call activity links to the instances it called, newest last, as Operate lets one drill down.
  const called = new Map();
  for (const child of snapshot.children) {
    if (child.elementId && registry.get(child.elementId)) called.set(child.elementId, child);
  }
  for (const [id, child] of called) {
    overlays.add(id, OVERLAY, {
      position: { bottom: -6, left: 8 },
      html: element("a", {
        text: "查看子流程 →",
        className: "mx-called",
        title: `${child.processDefinitionName} 实例 ${child.key}`,
        attrs: { href: `/instances/${child.key}`, "data-element-id": id, "data-testid": "called-instance-link" },
      }),
    });
  }
}

function showState(snapshot) {
  stateBadge.textContent = snapshot.stateLabel;
  stateBadge.className = `badge ${snapshot.state.toLowerCase()}`;
  stateBadge.dataset.state = snapshot.state;
  incidentBadge.hidden = !snapshot.hasIncident;
  endDate.textContent = localTime(snapshot.endDate);
  if (cancelButton) cancelButton.hidden = snapshot.state !== "ACTIVE" || Boolean(snapshot.parentProcessInstanceKey);
}

function operationButton(label, className, testid, path) {
  const button = element("button", { text: label, className, testid, attrs: { type: "button" } });
  button.addEventListener("click", () => operate(button, path));
  return button;
}

function showIncidents(snapshot) {
  const body = document.getElementById("incidents");
  body.replaceChildren();
  for (const incident of snapshot.incidents) {
    const cells = [
      elementName(incident.elementId),
      ERROR_TYPES[incident.errorType] ?? incident.errorType,
      element("span", { text: incident.errorMessage, className: "mx-error", testid: "incident-message" }),
      localTime(incident.creationTime),
    ];
    if (mayOperate) {
      const actions = element("span", { className: "toolbar" });
      const base = `/api/instances/${key}/incidents/${incident.incidentKey}`;
      if (incident.jobKey) {
        actions.append(operationButton("重试", "primary", "incident-retry", `${base}/retry`));
      }
      actions.append(operationButton("标记已解决", "", "incident-resolve", `${base}/resolution`));
      cells.push(actions);
    }
    const tr = row(...cells);
    tr.dataset.testid = "incident-row";
    tr.dataset.incidentKey = incident.incidentKey;
    tr.dataset.elementId = incident.elementId;
    body.append(tr);
  }
  document.getElementById("no-incidents").hidden = snapshot.incidents.length > 0;
}

function showChildren(snapshot) {
  const body = document.getElementById("children");
  body.replaceChildren();
  for (const child of snapshot.children) {
    const link = element("a", { text: child.key, attrs: { href: `/instances/${child.key}` } });
    const state = element("span");
    state.append(element("span", { text: child.stateLabel, className: `badge ${child.state.toLowerCase()}` }));
    if (child.hasIncident) state.append(" ", element("span", { text: "故障", className: "badge incident" }));
    const tr = row(link, child.processDefinitionName, state, localTime(child.startDate));
    tr.dataset.testid = "child-row";
    tr.dataset.key = child.key;
    body.append(tr);
  }
  document.getElementById("no-children").hidden = snapshot.children.length > 0;
}

async function loadVariables() {
  const { items } = await api(`/api/instances/${key}/variables`);
  const body = document.getElementById("variables");
  body.replaceChildren();
  for (const variable of items) {
    const scope = variable.scope === "process" ? "流程" : `局部（${variable.scopeKey}）`;
    const value = element("code", { text: variable.value, className: "mx-value" });
    const tr = row(variable.name, scope, value);
    if (variable.truncated) tr.cells[2].append(element("span", { text: "（已截断）", className: "muted" }));
    tr.dataset.testid = "variable-row";
    tr.dataset.name = variable.name;
    body.append(tr);
  }
}

async function apply(snapshot) {
  showState(snapshot);
  mark(snapshot);
  showIncidents(snapshot);
  showChildren(snapshot);
  if (snapshot.variablesDigest !== variablesDigest) {
    variablesDigest = snapshot.variablesDigest;
    await loadVariables();
  }
  snapshots += 1;
  container.dataset.snapshots = String(snapshots);
}

async function operate(button, path) {
  button.disabled = true;
  try {
    const result = await api(path, { method: "POST", body: {} });
    showMessage(message, result.message, "ok");
  } catch (error) {
    showMessage(message, error.message, "error");
  } finally {
    button.disabled = false;
  }
}

function setLive(state, text) {
  liveStatus.dataset.state = state;
  liveStatus.textContent = text;
}

function follow() {
  const events = new EventSource(`/api/instances/${key}/events`);
  events.addEventListener("open", () => setLive("live", "实时更新中"));
  events.addEventListener("snapshot", (event) => {
    setLive("live", "实时更新中");
    apply(JSON.parse(event.data)).catch((error) => showMessage(message, error.message, "error"));
  });
  events.addEventListener("unavailable", (event) => {
    setLive("offline", JSON.parse(event.data).detail);
  });
  events.addEventListener("closed", (event) => {
    events.close();
    setLive("offline", JSON.parse(event.data).detail);
  });
  // The browser reconnects by itself; until it does, the page says the view is not live.
  events.addEventListener("error", () => setLive("offline", "连接中断，正在重连…"));
}

if (cancelButton) {
  cancelButton.addEventListener("click", () => cancelDialog.showModal());
  cancelDialog.addEventListener("close", () => {
    if (cancelDialog.returnValue === "confirm") operate(cancelButton, `/api/instances/${key}/cancellation`);
  });
}

// Without a drawable diagram the lists below still follow the instance.
loadDiagram()
  .catch(() => showMessage(message, "流程图无法显示：流程定义缺少图形信息或无法解析，下方列表仍实时更新。", "error"))
  .finally(follow);
