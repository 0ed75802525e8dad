@testable import Appliance
import Testing

@Suite struct MappedCodeTests {
    @Test func test_parse_takesOnlyExecutableFileMappings() {
        let lines: [(String, MappedCode.Mapping?)] = [
            ("55d0c0a00000-55d0c1400000 r-xp 000c2000 fe:00 1234 /usr/bin/hactl\n", .init(start: 0x55d0c0a00000, end: 0x55d0c1400000)),
            ("7f00aa000000-7f00aa100000 r--p 00000000 fe:00 99 /usr/lib/libc.so.6\n", nil),
            ("7f00aa100000-7f00aa200000 rw-p 00000000 fe:00 99 /usr/lib/libc.so.6\n", nil),
            ("7f00ab000000-7f00ab021000 r-xp 00000000 00:00 0 \n", nil),
            ("7ffd1a000000-7ffd1a021000 r-xp 00000000 00:00 0 [vdso]\n", nil),
        ]
        for (line, expected) in lines {
            #expect(MappedCode.parse(line) == expected, "\(line)")
        }
    }

    @Test func test_dropStartupPages_dropsThisProcessesCode_andItKeepsRunning() {
        #expect(MappedCode.executableFileMappings().count > 0)
        #expect(MappedCode.dropStartupPages() > 0)
        // The code is mapped again on use: this runs after the drop.
        #expect([3, 1, 2].sorted() == [1, 2, 3])
    }
}
