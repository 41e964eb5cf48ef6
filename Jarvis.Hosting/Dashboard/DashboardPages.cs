using System.Net;

namespace Jarvis.Hosting.Dashboard;

/// <summary>
/// The dashboard's two pages. Each is static HTML whose script polls the JSON API once a second, so the pages stay
/// live without a reload and without a front-end build.
/// </summary>
internal static class DashboardPages
{
    private const string Style = """
        <style>
          body { font: 14px system-ui, sans-serif; margin: 0; color: #1b1b1f; background: #f6f7f9; }
          header { background: #1f2937; color: #fff; padding: 12px 24px; font-size: 18px; }
          header a { color: #cbd5e1; font-size: 14px; margin-left: 16px; text-decoration: none; }
          main { padding: 16px 24px; }
          table { border-collapse: collapse; width: 100%; background: #fff; }
          th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
          th { background: #eef0f3; font-weight: 600; }
          .Running { color: #15803d; } .FailedToStart, .Exited, .RuntimeUnhealthy { color: #b91c1c; } .Finished { color: #1d4ed8; }
          .Healthy { color: #15803d; } .Unhealthy { color: #b91c1c; }
          .reason { color: #6b7280; font-size: 12px; }
          button { margin-right: 4px; }
          pre { background: #0f172a; color: #e2e8f0; padding: 12px; white-space: pre-wrap; min-height: 70vh; margin: 0; }
          .err { color: #fca5a5; }
        </style>
        """;

    public const string Resources = $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Jarvis — resources</title>{{Style}}</head>
        <body>
        <header>Jarvis · Resources</header>
        <main>
          <table>
            <thead><tr><th>Resource</th><th>Type</th><th>State</th><th>Health</th><th>Started</th><th>URLs</th><th>Actions</th></tr></thead>
            <tbody id="resources"></tbody>
          </table>
        </main>
        <script>
          const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
          async function command(name, command) {
            const response = await fetch(`/api/resources/${encodeURIComponent(name)}/commands/${command}`, { method: "POST", headers: { "X-Dashboard-Command": "1" } });
            if (!response.ok) { alert((await response.json()).detail); }
            refresh();
          }
          async function refresh() {
            const resources = await (await fetch("/api/resources")).json();
            document.getElementById("resources").innerHTML = resources.map(r => `
              <tr>
                <td><a href="/resources/${encodeURIComponent(r.name)}/logs">${esc(r.name)}</a></td>
                <td>${esc(r.resourceType)}</td>
                <td class="${esc(r.state)}">${esc(r.state)}${r.stateReason ? `<div class="reason">${esc(r.stateReason)}</div>` : ""}</td>
                <td class="${esc(r.healthStatus)}">${esc(r.healthStatus ?? "")}</td>
                <td>${r.startedAt ? new Date(r.startedAt).toLocaleTimeString() : ""}</td>
                <td>${r.urls.map(u => `<a href="${esc(u)}">${esc(u)}</a>`).join("<br>")}</td>
                <td>${r.resourceType === "Parameter" ? "" : ["start", "stop", "restart"].map(c =>
                  `<button data-name="${esc(r.name)}" data-command="resource-${c}">${c}</button>`).join("")}</td>
              </tr>`).join("");
          }
          document.getElementById("resources").addEventListener("click", e => {
            const button = e.target.closest("button");
            if (button) { command(button.dataset.name, button.dataset.command); }
          });
          refresh();
          setInterval(refresh, 1000);
        </script>
        </body></html>
        """;

    public static string ConsoleLogs(string resourceName)
    {
        var name = WebUtility.HtmlEncode(resourceName);
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Jarvis — {{name}} console</title>{{Style}}</head>
            <body>
            <header>Jarvis · Console of {{name}} <a href="/">← Resources</a></header>
            <main><pre id="log"></pre></main>
            <script>
              const name = {{System.Text.Json.JsonSerializer.Serialize(resourceName)}};
              const log = document.getElementById("log");
              let after = 0;
              async function poll() {
                const response = await fetch(`/api/resources/${encodeURIComponent(name)}/logs?after=${after}`);
                if (!response.ok) { log.textContent = (await response.json()).detail; return; }
                for (const line of await response.json()) {
                  const span = document.createElement("span");
                  if (line.isError) { span.className = "err"; }
                  span.textContent = line.text + "\n";
                  log.appendChild(span);
                  after = line.sequence;
                }
              }
              poll();
              setInterval(poll, 1000);
            </script>
            </body></html>
            """;
    }
}
