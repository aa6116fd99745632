// One task: its facts, claim and unclaim, and its deployed Camunda Form rendered with form-js,
// filled with the variables the form reads. form-js marks invalid fields in the form; what the
// server or the engine refuses is shown above it.
import { Form } from "/static/build/form-js-viewer.js";
import { api, showMessage } from "/static/js/console.js";
import { chineseMessages } from "/static/js/form-js-zh.js";

const page = document.getElementById("task-page");
const key = page.dataset.taskKey;
const message = document.getElementById("task-message");
const claimButton = document.getElementById("task-claim");
const unclaimButton = document.getElementById("task-unclaim");
const submitButton = document.getElementById("task-submit");
const container = document.getElementById("task-form");
let form = null;
let task = null;

function showFacts(current) {
  task = current;
  document.getElementById("task-process").textContent = task.processName;
  const caseNumber = document.getElementById("task-case");
  if (task.caseNumber) {
    const link = document.createElement("a");
    link.href = `/cases/${encodeURIComponent(task.caseNumber)}`;
    link.textContent = task.caseNumber;
    link.dataset.testid = "task-case-link";
    caseNumber.replaceChildren(link);
  } else {
    caseNumber.textContent = "—";
  }
  document.getElementById("task-title").textContent = task.title ?? "—";
  const due = document.getElementById("task-due");
  due.textContent = task.dueText ?? "—";
  if (task.due) {
    const badge = document.createElement("span");
    badge.className = `badge ${task.due}`;
    badge.dataset.testid = "task-due-badge";
    badge.textContent = task.due === "overdue" ? "已超期" : "即将到期";
    due.append(" ", badge);
  }
  const assignee = document.getElementById("task-assignee");
  assignee.textContent = task.assignee ? task.assigneeName + (task.mine ? "（我）" : "") : "未认领";
  const open = task.state === "CREATED";
  claimButton.hidden = !open || Boolean(task.assignee);
  unclaimButton.hidden = !open || !task.mine || task.assignedByProcess;
  submitButton.disabled = !open || (Boolean(task.assignee) && !task.mine) || !form;
  if (!open) showMessage(message, "此任务已办结或已撤销。", "info");
  else if (task.assignee && !task.mine) showMessage(message, `此任务已由${task.assigneeName}认领，您只能查看。`, "info");
}

async function load() {
  const data = await api(`/api/tasks/${key}`);
  if (data.schema) {
    form = new Form({ container, additionalModules: [chineseMessages] });
    await form.importSchema(data.schema, data.variables);
  } else {
    container.textContent = "此任务没有表单，提交即办结。";
  }
  showFacts(data.task);
}

async function reloadFacts() {
  const data = await api(`/api/tasks/${key}`);
  showFacts(data.task);
}

async function post(action, body) {
  return api(`/api/tasks/${key}/${action}`, { method: "POST", body });
}

claimButton.addEventListener("click", async () => {
  try {
    await post("claim");
    showMessage(message, "已认领，可以办理。", "ok");
  } catch (error) {
    showMessage(message, error.message);
  }
  await reloadFacts();
});

unclaimButton.addEventListener("click", async () => {
  try {
    await post("unclaim");
    showMessage(message, "已退回，其他人可以认领。", "ok");
  } catch (error) {
    showMessage(message, error.message);
  }
  await reloadFacts();
});

submitButton.addEventListener("click", async () => {
  let variables = {};
  if (form) {
    const { data, errors } = form.submit();
    if (Object.keys(errors).length) {
      showMessage(message, "表单中有未填写或填写有误的项目，请按提示修改后再提交。");
      return;
    }
    variables = data;
  }
  submitButton.disabled = true;
  try {
    await post("complete", { variables });
    window.location.assign(`/tasks?done=${encodeURIComponent(task.name)}`);
  } catch (error) {
    showMessage(message, error.message);
    submitButton.disabled = false;
  }
});

load().catch((error) => showMessage(message, `任务加载失败：${error.message}`));
