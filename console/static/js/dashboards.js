// The dashboards page: choosing another kind of period shows the one under way. The bulletins
// page: "生成通报" starts a bulletin and follows its progress.
import { api, showMessage } from "/static/js/console.js";
import { followOperation } from "/static/js/operations.js";

const periodForm = document.getElementById("period-form");
if (periodForm) {
  periodForm.elements.period.addEventListener("change", () => {
    periodForm.elements.of.value = "";
    periodForm.submit();
  });
}

const bulletinForm = document.getElementById("bulletin-form");
if (bulletinForm) {
  const panel = document.getElementById("bulletin-operation");
  const button = bulletinForm.querySelector("button[type=submit]");
  bulletinForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = bulletinForm.elements.choice.selectedOptions[0];
    button.disabled = true;
    try {
      const started = await api("/api/reports/bulletins", {
        method: "POST",
        body: { period: chosen.dataset.period, of: chosen.dataset.of },
      });
      const operation = await followOperation(started.id, panel);
      if (operation.state === "succeeded") {
        // The new bulletin's row appears in the list below once the page is shown again.
        panel.querySelector('[data-testid="operation-links"]').append(reloadLink());
      }
    } catch (error) {
      panel.hidden = false;
      showMessage(panel.querySelector('[data-testid="operation-message"]'), error.message, "error");
    } finally {
      button.disabled = false;
    }
  });
}

function reloadLink() {
  const anchor = document.createElement("a");
  anchor.href = "/reports";
  anchor.textContent = "刷新通报列表";
  anchor.dataset.testid = "operation-reload";
  return anchor;
}
