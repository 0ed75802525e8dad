import Control
import Proxy

/// The proxy's statistics requests, answered from the same report as `hactl status` and, for
/// the page's admin buttons, through the same command path as the control socket.
extension ApplianceControl {
    func statsAnswer(_ request: StatsRequest) async -> StatsAnswer {
        switch request.kind {
        case .prometheus:
            return StatsAnswer(contentType: PrometheusExposition.contentType, body: PrometheusExposition.render(await status()))
        case .csv:
            return StatsAnswer(contentType: "text/plain; charset=utf-8", body: RuntimeAPIAnswer.showStat(await status()))
        case .json:
            var report = await status()
            if request.hideVersion { report.node.version = "" }
            return StatsAnswer(contentType: "application/json", body: report.jsonString() + "\n")
        case .page(let refresh, let admin):
            let page = StatsPageRenderer.render(await status(), options: .init(
                uri: request.uri, refreshSeconds: refresh, admin: admin, hideVersion: request.hideVersion))
            return StatsAnswer(contentType: StatsPageRenderer.contentType, body: page)
        case .admin(let action, let backend, let server):
            let command: ControlCommand.ServerAction
            switch action {
            case "ready": command = .enable
            case "drain": command = .drain
            case "maint": command = .disable
            default:
                return StatsAnswer(status: 400, contentType: "text/plain", body: "unknown action '\(action)': expected ready, drain or maint\n")
            }
            // `stats admin` is the page's whole authorization, as in HAProxy: the command runs
            // with the control socket's code, at admin level.
            let reply = await respond(to: .server(backend: backend, server: server, action: command), level: .admin)
            switch reply {
            case .failed(let failure):
                return StatsAnswer(status: 404, contentType: "text/plain", body: RuntimeAPIAnswer.reply(.failed(failure)))
            case .done, .status:
                // Post/redirect/get: the browser shows the page again, with the new state.
                return StatsAnswer(status: 303, contentType: "text/plain", body: "\(backend)/\(server): \(action)\n",
                                   headers: [("location", request.uri)])
            }
        }
    }
}
