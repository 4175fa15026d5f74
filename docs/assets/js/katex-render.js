// Renders the TeX that pymdownx.arithmatex (generic mode) leaves in .arithmatex elements,
// with the KaTeX bundled in docs/assets/katex (no network needed).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".arithmatex").forEach(function (node) {
    var text = node.textContent.trim();
    var display = node.tagName === "DIV";
    if (text.startsWith("\\(") || text.startsWith("\\[")) {
      text = text.slice(2, -2);
    }
    try {
      katex.render(text, node, { displayMode: display, throwOnError: false });
    } catch (err) {
      console.warn("formula left as TeX:", err);
    }
  });
});
