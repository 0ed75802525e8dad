#ifndef CNETLINK_SHIM_H
#define CNETLINK_SHIM_H
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/rtnl.h>
#include <sys/eventfd.h>
#include <netpacket/packet.h>
#include <netinet/icmp6.h>
#include <sched.h>
/* setns(2) is declared only under _GNU_SOURCE; the same prototype, visible to Swift. */
extern int setns(int __fd, int __nstype);
#endif
