import HACore
@testable import HAConfig
import Testing

/// `hactl import` of each node's keepalived.conf: one file for every node, the nodes' own
/// settings left to `hactl run --role`, every other difference an error at both files' lines.
@Suite struct RoleNeutralImportTests {
    /// One node's keepalived.conf; every keyword is on the same line whatever the values.
    struct Node {
        var routerID = "lb1"
        var state = "MASTER"
        var priority = 200
        var virtualRouterID = 51
        var advertInterval = "1"
        var source = "198.18.0.11"
        var peer = "198.18.0.12"
        var address = "198.18.0.100/24"
        var trackScript = "chk_haproxy"

        static let lb1 = Node()

        func with(_ change: (inout Node) -> Void) -> Node {
            var copy = self
            change(&copy)
            return copy
        }
        static let lb2 = Node(routerID: "lb2", state: "BACKUP", priority: 100, source: "198.18.0.12", peer: "198.18.0.11")

        var text: String {
            """
            global_defs {
                router_id \(routerID)
            }
            vrrp_script chk_haproxy {
                script "/usr/bin/pgrep haproxy"
                interval 2
            }
            vrrp_script chk_gateway {
                script "/usr/bin/ping -c1 198.18.0.1"
                interval 2
            }
            vrrp_instance VI_1 {
                state \(state)
                interface eth0
                virtual_router_id \(virtualRouterID)
                priority \(priority)
                advert_int \(advertInterval)
                unicast_src_ip \(source)
                unicast_peer {
                    \(peer)
                }
                virtual_ipaddress {
                    \(address)
                }
                track_script {
                    \(trackScript)
                }
            }

            """
        }
    }

    private func importing(_ nodes: [(file: String, node: Node)]) throws(ConfigErrors) -> RoleNeutralImport {
        var parsed: [(file: String, configuration: Configuration)] = []
        for (file, node) in nodes {
            parsed.append((file, try ConfigurationLoader.parse(text: node.text, file: file, dialect: .keepalived)))
        }
        return try RoleNeutralImport(nodes: parsed, shared: parsed[0].configuration, files: nodes.map(\.file))
    }

    private func errors(_ nodes: [(file: String, node: Node)]) -> [ConfigError] {
        do {
            _ = try importing(nodes)
            return []
        } catch {
            return error.errors
        }
    }

    // MARK: What may differ

    @Test(arguments: [
        ("equal files", Node.lb1),
        ("state, priority, unicast_src_ip, unicast_peer and router_id differ", Node.lb2),
    ])
    func test_filesDifferingOnlyInNodeSettings_importAsOneFile(_ name: String, lb2: Node) throws {
        let imported = try importing([("lb1.conf", .lb1), ("lb2.conf", lb2)])
        let instance = try #require(imported.configuration.vrrpInstance(named: "VI_1"))
        #expect(instance.initialState == nil)
        #expect(instance.priority == nil)
        #expect(instance.unicastSourceIP == nil)
        #expect(imported.notes.isEmpty)
    }

    @Test func test_stateAndPriority_areLeftToTheRoleAndRecordedPerNodeInAComment() throws {
        let imported = try importing([("lb1.conf", .lb1), ("lb2.conf", .lb2)])
        #expect(imported.comments[.vrrpInstance("VI_1")]?.first
            == "imported: lb1.conf state MASTER priority 200 unicast_src_ip 198.18.0.11; lb2.conf state BACKUP priority 100 unicast_src_ip 198.18.0.12")
        let text = imported.text
        #expect(text.contains("    # imported: lb1.conf state MASTER priority 200"))
        #expect(!text.contains("    state "))
        #expect(!text.contains("    priority "))
        #expect(!text.contains("    unicast_src_ip"))
    }

    @Test func test_unicast_peerListsBothNodesAndTheSourceIsLeftOut() throws {
        let imported = try importing([("lb1.conf", .lb1), ("lb2.conf", .lb2)])
        let instance = try #require(imported.configuration.vrrpInstance(named: "VI_1"))
        #expect(instance.unicastPeers == ["198.18.0.11", "198.18.0.12"])
        #expect(instance.unicastSourceIP == nil)
    }

    @Test func test_differingRouterID_isLeftOutAndRecorded() throws {
        let imported = try importing([("lb1.conf", .lb1), ("lb2.conf", .lb2)])
        #expect(imported.configuration.global.routerID == nil)
        #expect(imported.comments[.global] == ["imported: lb1.conf router_id lb1; lb2.conf router_id lb2"])
    }

    @Test func test_printedFile_readsBackAsTheMergedConfiguration() throws {
        let imported = try importing([("lb1.conf", .lb1), ("lb2.conf", .lb2)])
        let reparsed = try ConfigurationLoader.parse(text: imported.text, file: "printed.conf", dialect: .hactl)
        #expect(reparsed.withoutLocations() == imported.configuration.withoutLocations())
    }

    // MARK: What may not differ

    /// Each case: lb2 with one change, and the keyword and line the error names (the same line in both files).
    @Test(arguments: [
        (Node.lb2.with { $0.virtualRouterID = 52 }, "virtual_router_id", 15, 5),
        (Node.lb2.with { $0.address = "198.18.0.101/24" }, "virtual_ipaddress", 23, 9),
        (Node.lb2.with { $0.advertInterval = "2" }, "advert_int", 17, 5),
        (Node.lb2.with { $0.trackScript = "chk_gateway" }, "track_script", 26, 9),
    ])
    func test_anyOtherDifference_isAnErrorNamingTheLineInBothFiles(lb2: Node, keyword: String, line: Int, column: Int) {
        let found = errors([("lb1.conf", .lb1), ("lb2.conf", lb2)])
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.keyword == keyword)
        #expect(found.first?.location == SourceLocation(file: "lb2.conf", line: line, column: column))
        #expect(found.first?.message.contains(" at lb1.conf:\(line):\(column)") == true, "\(found)")
    }

    @Test func test_anInstanceInOneFileOnly_isAnErrorAtItsLine() throws {
        var lb2Text = Node.lb2.text
        lb2Text += "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    virtual_ipaddress {\n        198.18.0.101/24\n    }\n}\n"
        let lb1 = try ConfigurationLoader.parse(text: Node.lb1.text, file: "lb1.conf", dialect: .keepalived)
        let lb2 = try ConfigurationLoader.parse(text: lb2Text, file: "lb2.conf", dialect: .keepalived)
        do {
            _ = try RoleNeutralImport(nodes: [("lb1.conf", lb1), ("lb2.conf", lb2)], shared: lb1, files: ["lb1.conf", "lb2.conf"])
            Issue.record("VI_2 in lb2.conf only should be refused")
        } catch {
            #expect(error.errors.map(\.description) == [
                "lb2.conf:29:1: error: 'vrrp_instance VI_2': is in lb2.conf but not in lb1.conf; the nodes' files may differ only in \(NodeFileComparison.nodeSpecific)",
            ])
        }
    }

    @Test func test_peersThatDoNotNameEachOther_areAnErrorAtTheUnicastPeerLine() {
        var lb2 = Node.lb2
        lb2.peer = "198.18.0.13"
        let found = errors([("lb1.conf", .lb1), ("lb2.conf", lb2)])
        #expect(found.map(\.location) == [SourceLocation(file: "lb1.conf", line: 19, column: 5), SourceLocation(file: "lb2.conf", line: 19, column: 5)], "\(found)")
        #expect(found.allSatisfy { $0.keyword == "unicast_peer" })
        #expect(found.last?.message.contains("does not list 198.18.0.11, which lb1.conf has at lb1.conf:19:5") == true, "\(found)")
    }

    // MARK: One file, more than two

    @Test func test_oneFile_leavesOutStateAndPriorityAndSaysSoWithTheirLines() throws {
        let imported = try importing([("lb1.conf", .lb1)])
        let instance = try #require(imported.configuration.vrrpInstance(named: "VI_1"))
        #expect(instance.initialState == nil && instance.priority == nil && instance.unicastSourceIP == nil)
        #expect(instance.unicastPeers == ["198.18.0.11", "198.18.0.12"])
        let notes = imported.notes.map(\.description)
        #expect(notes.count == 4, "\(notes)")
        #expect(notes.contains("lb1.conf:13:5: note: 'state MASTER' of vrrp_instance VI_1 is left out: 'hactl run --role master|backup' decides it now (master 250, backup 240)"))
        #expect(notes.contains("lb1.conf:16:5: note: 'priority 200' of vrrp_instance VI_1 is left out: 'hactl run --role master|backup' decides it now (master 250, backup 240)"))
        #expect(notes.contains { $0.hasPrefix("lb1.conf:18:5: note: 'unicast_src_ip 198.18.0.11' of vrrp_instance VI_1 is left out and added to unicast_peer") })
        #expect(imported.comments[.vrrpInstance("VI_1")]?.first == "imported: lb1.conf state MASTER priority 200 unicast_src_ip 198.18.0.11")
    }

    @Test func test_threeNodes_areComparedWithTheFirstAndAllRecorded() throws {
        let lb3 = Node(routerID: "lb3", state: "BACKUP", priority: 90, source: "198.18.0.13", peer: "198.18.0.11")
        var lb1 = Node.lb1, lb2 = Node.lb2
        lb1.peer = "198.18.0.12\n        198.18.0.13"
        lb2.peer = "198.18.0.11\n        198.18.0.13"
        var lb3Text = lb3.text
        lb3Text = lb3Text.replacingOccurrences(of: "        198.18.0.11\n", with: "        198.18.0.11\n        198.18.0.12\n")
        let parsed = try [("lb1.conf", lb1.text), ("lb2.conf", lb2.text), ("lb3.conf", lb3Text)].map { file, text throws(ConfigErrors) in
            (file: file, configuration: try ConfigurationLoader.parse(text: text, file: file, dialect: .keepalived))
        }
        let imported = try RoleNeutralImport(nodes: parsed, shared: parsed[0].configuration, files: parsed.map(\.file))
        #expect(imported.configuration.vrrpInstances.first?.unicastPeers == ["198.18.0.11", "198.18.0.12", "198.18.0.13"])
        #expect(imported.comments[.vrrpInstance("VI_1")]?.first?.hasSuffix("; lb3.conf state BACKUP priority 90 unicast_src_ip 198.18.0.13") == true)
    }

    @Test func test_aNodeMasterOfSomeInstancesOnly_isNotedBecauseOneRoleCannotSplitThem() throws {
        let text = Node.lb1.text + "vrrp_instance VI_2 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 52\n    virtual_ipaddress {\n        198.18.0.101/24\n    }\n}\n"
        let lb1 = try ConfigurationLoader.parse(text: text, file: "lb1.conf", dialect: .keepalived)
        let imported = try RoleNeutralImport(nodes: [("lb1.conf", lb1)], shared: lb1, files: ["lb1.conf"])
        #expect(imported.notes.contains { $0.message.hasPrefix("lb1.conf starts VI_1 as MASTER but VI_2 as BACKUP") })
    }
}
