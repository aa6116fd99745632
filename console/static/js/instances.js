// The instance list: a changed filter applies at once (the button stays for keyboards and no-JS).
const form = document.getElementById("instances-filter");
for (const field of form.querySelectorAll("select, input[type=checkbox]")) {
  field.addEventListener("change", () => form.requestSubmit());
}
