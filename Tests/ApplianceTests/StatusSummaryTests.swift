import Appliance
import HACore
import Testing

@Suite struct StatusSummaryTests {
    let servers = [
        StatusSummary.ServerKey(backend: "web", server: "websrv1"),
        StatusSummary.ServerKey(backend: "web", server: "websrv2"),
    ]

    @Test func test_beforeReady_saysStarting() {
        let summary = StatusSummary(instances: ["VI_1": "INIT"], servers: servers)
        #expect(summary.line == "starting; INIT VI_1; 2/2 servers up")
    }

    @Test func test_masterWithAllServersUp_readsLikeTheExample() {
        var summary = StatusSummary(instances: ["VI_1": "BACKUP"], servers: servers)
        summary.apply(.lifecycle(.ready(summary: "")))
        summary.apply(.vrrpTransition(instance: "VI_1", from: "BACKUP", to: "MASTER", reason: "master down"))
        #expect(summary.line == "MASTER VI_1; 2/2 servers up")
    }

    @Test func test_serverDown_andProxyDown_areCounted() {
        var summary = StatusSummary(instances: ["VI_2": "BACKUP", "VI_1": "MASTER"], servers: servers)
        summary.apply(.lifecycle(.ready(summary: "")))
        summary.apply(.serverHealth(backend: "web", server: "websrv2", up: false, reason: "L4 refused"))
        summary.apply(.proxyHealth(up: false, reason: "2 failed probes"))
        #expect(summary.line == "MASTER VI_1, BACKUP VI_2; 1/2 servers up; proxy DOWN (2 failed probes)")
    }

    @Test func test_stopping_leadsTheLine() {
        var summary = StatusSummary()
        summary.apply(.lifecycle(.ready(summary: "")))
        #expect(summary.line == "running")
        summary.apply(.lifecycle(.stopping(reason: "SIGTERM")))
        #expect(summary.line == "stopping (SIGTERM)")
    }

    @Test func test_reconfigure_keepsKnownStates_addsNewAsUp_dropsRemoved() {
        var summary = StatusSummary(instances: ["VI_1": "INIT"], servers: servers)
        summary.apply(.lifecycle(.ready(summary: "")))
        summary.apply(.vrrpTransition(instance: "VI_1", from: "INIT", to: "MASTER", reason: ""))
        summary.apply(.serverHealth(backend: "web", server: "websrv1", up: false, reason: ""))
        summary.reconfigure(instances: ["VI_1"], servers: [servers[0], .init(backend: "web", server: "websrv3")])
        #expect(summary.line == "MASTER VI_1; 1/2 servers up")
    }
}
