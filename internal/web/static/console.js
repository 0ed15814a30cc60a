// Copies the text of an answer, as shown next to its button.
document.addEventListener("click", async (ev) => {
  const button = ev.target.closest("button.copy");
  if (!button) return;
  const text = button.closest("figure").querySelector("pre.copyable").textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // No clipboard (http, an old browser): select the text to copy by hand.
    const range = document.createRange();
    range.selectNodeContents(button.closest("figure").querySelector("pre.copyable"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
  button.dataset.label = button.dataset.label || button.textContent;
  button.textContent = button.dataset.copied;
  setTimeout(() => { button.textContent = button.dataset.label; }, 2000);
});
