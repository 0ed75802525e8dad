/// A Python 3 script (run in the client namespace) that forges VRRP adverts independently of
/// hactl's codec: `forge.py KIND` sends one packet of that kind to 224.0.0.18 over a raw socket
/// with IP_HDRINCL, so TTL, checksum and every field can be wrong on purpose. Every forged
/// packet claims priority 255, so a node that accepted one would visibly change state.
enum VRRPPacketForge {
    /// The kinds the script knows, named as hactl counts them (`AdvertisementRejection.name`).
    static let kinds = ["ttl", "checksum", "vrid", "auth_failure", "truncated", "address_count"]

    static let script = """
        import socket, struct, sys

        def csum(data):
            if len(data) % 2:
                data += b"\\0"
            total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
            while total >> 16:
                total = (total & 0xFFFF) + (total >> 16)
            return (~total) & 0xFFFF

        def vrrp_v2(vrid=51, priority=255, addresses=("198.18.0.100",), password=b"1215", bad_checksum=False):
            body = bytes([0x21, vrid, priority, len(addresses), 1, 1, 0, 0])
            body += b"".join(socket.inet_aton(a) for a in addresses)
            body += password.ljust(8, b"\\0")[:8]
            checksum = csum(body) ^ (0x5555 if bad_checksum else 0)
            return body[:6] + struct.pack("!H", checksum) + body[8:]

        def ip(payload, ttl=255, src="198.18.0.12", dst="224.0.0.18"):
            header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, 112, 0,
                                 socket.inet_aton(src), socket.inet_aton(dst))
            header = header[:10] + struct.pack("!H", csum(header)) + header[12:]
            return header + payload

        kind = sys.argv[1]
        packets = {
            "ttl": ip(vrrp_v2(), ttl=64),
            "checksum": ip(vrrp_v2(bad_checksum=True)),
            "vrid": ip(vrrp_v2(vrid=52)),
            "auth_failure": ip(vrrp_v2(password=b"wrong")),
            "truncated": ip(vrrp_v2()[:5]),
            "address_count": ip(vrrp_v2(addresses=())),
            "valid": ip(vrrp_v2()),
        }
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        s.sendto(packets[kind], ("224.0.0.18", 0))
        """
}
