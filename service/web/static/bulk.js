// 全选: the header's box ticks or clears every row's box, and follows them when they change.
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  var picks = Array.prototype.slice.call(document.querySelectorAll("[data-pick]"));
  if (!all) return;
  all.addEventListener("change", function () {
    picks.forEach(function (pick) { pick.checked = all.checked; });
  });
  picks.forEach(function (pick) {
    pick.addEventListener("change", function () {
      all.checked = picks.every(function (p) { return p.checked; });
    });
  });
})();
