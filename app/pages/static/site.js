// Progressive enhancement only: the page works without it. Shows "Copy link" and "Print"
// buttons.
document.querySelectorAll("button.copy").forEach((button) => {
  const target = document.getElementById(button.dataset.copyTarget);
  const said = document.querySelector(".copied");
  if (!target || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.value);
      if (said) said.textContent = "Link copied.";
    } catch {
      target.select();
      if (said) said.textContent = "Press Ctrl+C (or Cmd+C) to copy the selected link.";
    }
  });
});

document.querySelectorAll("button.print").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
