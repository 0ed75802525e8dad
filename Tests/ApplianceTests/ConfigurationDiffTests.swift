import Appliance
import HACore
import HAConfig
import Testing

@Suite struct ConfigurationDiffTests {
    let web = Backend(name: "web", servers: [Server(name: "s1", host: "198.18.0.21", port: 80)])

    @Test func test_identicalConfigurations_haveNoChanges() {
        let configuration = Configuration(backends: [web])
        #expect(ConfigurationDiff(from: configuration, to: configuration).isEmpty)
    }

    @Test func test_sectionsAreMatchedByName_addedRemovedChanged() {
        var changedWeb = web
        changedWeb.servers.append(Server(name: "s2", host: "198.18.0.22", port: 80))
        let old = Configuration(backends: [web, Backend(name: "old")])
        let new = Configuration(
            frontends: [Frontend(name: "main", binds: [Bind(port: 80)])],
            backends: [changedWeb]
        )
        #expect(ConfigurationDiff(from: old, to: new).changes.map(\.description) == [
            "added frontend main", "changed backend web", "removed backend old",
        ])
    }

    @Test func test_vrrpInstanceChange_isNamed() {
        let old = Configuration(vrrpInstances: [VRRPInstanceConfig(name: "VI_1", interface: "eth0", virtualRouterID: 51, priority: 250)])
        var new = old
        new.vrrpInstances[0].priority = 100
        #expect(ConfigurationDiff(from: old, to: new).changes == [.init(.changed, .vrrpInstance, "VI_1")])
    }

    @Test func test_globalChanges_areSplitIntoProxyAndVRRPSettings() {
        let old = Configuration()
        var proxyOnly = old
        proxyOnly.global.maxconn = 2000
        #expect(ConfigurationDiff(from: old, to: proxyOnly).changes == [.init(.changed, .global, "global")])
        var vrrpOnly = old
        vrrpOnly.global.vrrpVersion = vrrpOnly.global.vrrpVersion == 2 ? 3 : 2
        #expect(ConfigurationDiff(from: old, to: vrrpOnly).changes == [.init(.changed, .globalDefs, "global")])
    }

    @Test func test_peersSection_addedRemovedChanged_isClassified() {
        let pair = PeersConfig(name: "pair", peers: [
            PeersConfig.Peer(name: "n1", address: "198.18.0.10", port: 7100),
            PeersConfig.Peer(name: "n2", address: "198.18.0.11", port: 7100),
        ], keyFile: "/k")
        var changed = pair
        changed.peers[0].address = "198.18.0.12"
        #expect(ConfigurationDiff(from: Configuration(), to: Configuration(peers: pair)).changes == [.init(.added, .peers, "pair")])
        #expect(ConfigurationDiff(from: Configuration(peers: pair), to: Configuration()).changes == [.init(.removed, .peers, "pair")])
        #expect(ConfigurationDiff(from: Configuration(peers: pair), to: Configuration(peers: changed)).changes.map(\.description) == ["changed peers pair (peer link)"])
        var local = Configuration(peers: pair)
        local.global.localPeer = "n2"
        #expect(ConfigurationDiff(from: Configuration(peers: pair), to: local).changes == [.init(.changed, .peers, "pair")])
    }

    @Test func test_sectionThatOnlyMovedToOtherLines_isUnchanged() {
        let old = Configuration(backends: [Backend(name: "web", location: SourceLocation(file: "hactl.conf", line: 10))])
        let new = Configuration(backends: [Backend(name: "web", location: SourceLocation(file: "hactl.conf", line: 14))])
        #expect(ConfigurationDiff(from: old, to: new).isEmpty)
    }

    @Test func test_aCertificateReplacedUnderAnUnchangedText_changesTheFrontendNamingIt() {
        let tls = Frontend(name: "secure", binds: [Bind(port: 443, ssl: true, certificatePath: "/etc/hactl/certs")])
        let plain = Frontend(name: "plain", binds: [Bind(port: 80)])
        var old = Configuration(frontends: [tls, plain], backends: [web])
        old.fileDigests = ["/etc/hactl/certs/site.pem": "aaaa"]
        var new = old
        new.fileDigests = ["/etc/hactl/certs/site.pem": "bbbb"]
        #expect(ConfigurationDiff(from: old, to: new).changes.map(\.description) == ["changed frontend secure"])
    }

    @Test func test_aNewCAFile_changesTheBackendNamingIt_onlyOnce() {
        var tlsWeb = web
        tlsWeb.servers[0].ssl = true
        tlsWeb.servers[0].caFile = "/etc/hactl/ca.pem"
        var old = Configuration(backends: [tlsWeb])
        old.fileDigests = ["/etc/hactl/ca.pem": "aaaa"]
        var new = old
        new.fileDigests = ["/etc/hactl/ca.pem": "bbbb"]
        new.backends[0].servers[0].weight = 5
        #expect(ConfigurationDiff(from: old, to: new).changes.map(\.description) == ["changed backend web"])
        new.backends[0].servers[0].weight = 1
        #expect(ConfigurationDiff(from: old, to: new).changes.map(\.description) == ["changed backend web"])
        #expect(ConfigurationDiff(from: old, to: old).isEmpty)
    }
}
