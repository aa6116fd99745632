// 批量导入: send the chosen file as multipart (console.js `api` speaks JSON only), list every problem
// the server found (nothing was imported then), or follow the import's operation and list its rows.
import { api, showMessage } from "/static/js/console.js";
import { followOperation } from "/static/js/operations.js";

const form = document.getElementById("import-form");
const message = document.getElementById("import-message");
const errors = document.getElementById("import-errors");
const panel = document.getElementById("import-operation");
const result = document.getElementById("import-result");
// The workers number the cases a moment after their instances start: ask again for a while.
const NUMBERING_TRIES = 20;
const NUMBERING_WAIT_MS = 1000;

function chosenChannel() {
  return form.elements.channel.value;
}

function showColumns() {
  for (const section of document.querySelectorAll(".import-columns")) {
    section.hidden = section.dataset.channel !== chosenChannel();
  }
  const url = new URL(window.location.href);
  url.searchParams.set("channel", chosenChannel());
  window.history.replaceState(null, "", url);
}

function upload() {
  return api("/api/intake/import", { method: "POST", body: new FormData(form) });
}

function showProblems(problems) {
  errors.replaceChildren(
    ...(problems ?? []).map((problem) => {
      const item = document.createElement("li");
      item.textContent = problem;
      item.dataset.testid = "import-error";
      return item;
    }),
  );
  errors.hidden = !problems?.length;
}

function cell(content) {
  const td = document.createElement("td");
  td.append(content ?? "");
  return td;
}

function caseCell(row) {
  if (row.caseUrl) {
    const link = document.createElement("a");
    link.href = row.caseUrl;
    link.textContent = row.caseNumber;
    link.dataset.testid = "import-case-link";
    return cell(link);
  }
  if (row.processInstanceKey) {
    const link = document.createElement("a");
    link.href = `/instances/${encodeURIComponent(row.processInstanceKey)}`;
    link.textContent = `流程实例 ${row.processInstanceKey}（正在登记编号）`;
    return cell(link);
  }
  return cell("—");
}

function showResult(summary) {
  document.getElementById("import-counts").textContent =
    `“${summary.fileName}”共 ${summary.total} 行：已启动 ${summary.started} 件，跳过 ${summary.skipped} 件（外部编号已导入过）。`;
  result.querySelector("tbody").replaceChildren(
    ...summary.rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.testid = "import-row";
      tr.dataset.status = row.status;
      tr.append(
        cell(String(row.line)),
        cell(row.externalId ?? ""),
        cell(row.title),
        cell(row.status === "started" ? "已启动" : "已跳过（此前已导入）"),
        caseCell(row),
      );
      return tr;
    }),
  );
  result.hidden = false;
}

async function followResult(href) {
  for (let tries = 0; ; tries += 1) {
    const summary = await api(href);
    showResult(summary);
    const numbering = summary.rows.some((row) => row.processInstanceKey && !row.caseNumber);
    if (!numbering || tries >= NUMBERING_TRIES) return;
    await new Promise((resolve) => setTimeout(resolve, NUMBERING_WAIT_MS));
  }
}

async function submit(event) {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  showProblems(null);
  result.hidden = true;
  showMessage(message, "正在检查文件…", "info");
  try {
    const started = await upload();
    const ignored = started.ignoredColumns.length ? `（未导入的列：${started.ignoredColumns.join("、")}）` : "";
    showMessage(message, `文件检查通过，共 ${started.rows} 行，正在逐行启动流程${ignored}。`, "info");
    const operation = await followOperation(started.id, panel);
    if (operation.state === "succeeded") showMessage(message, `导入完成${ignored}。`, "ok");
    else showMessage(message, "导入中断，已导入的行见下表；重新导入同一文件时，有外部编号的行不会重复登记。", "error");
    await followResult(started.result);
  } catch (error) {
    showMessage(message, error.message, "error");
    showProblems(error.body?.errors);
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", submit);
for (const radio of form.elements.channel) radio.addEventListener("change", showColumns);
