// Live progress of a round or a self-check: server-sent events from the element's
// data-events URL; the page reloads when the work ends, to show the results.
(function () {
  var el = document.querySelector('[data-events]');
  if (!el || el.getAttribute('data-running') !== 'yes' || !window.EventSource) return;
  var src = new EventSource(el.getAttribute('data-events'));
  src.addEventListener('progress', function (e) {
    var p = JSON.parse(e.data);
    if (p.total !== undefined) {
      var eta = p.eta_secs == null ? '' : '，预计还需 ' + p.eta_secs + ' 秒';
      el.textContent = p.done + '/' + p.total + '，不合格 ' + p.failed + eta;
      var bar = document.getElementById('bar');
      if (bar && p.total > 0) bar.style.width = (100 * p.done / p.total) + '%';
      var d = document.getElementById('done'); if (d) d.textContent = p.done;
      var f = document.getElementById('failed'); if (f) f.textContent = p.failed;
    } else if (!p.finished) {
      el.textContent = '正在检查首页、栏目、页脚标识和链接……已用时 ' + p.elapsed_secs + ' 秒';
    }
    if (p.finished) { src.close(); window.location.reload(); }
  });
  src.onerror = function () { src.close(); setTimeout(function () { window.location.reload(); }, 2000); };
})();
