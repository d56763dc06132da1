package store_test

import (
	"context"
	"strings"
	"testing"

	"skygrid"
)

// A refused packet is logged whatever bytes came off the wire: NUL bytes
// and bytes that are not UTF-8 (PostgreSQL's TEXT refuses both, and the
// log line was lost there) are kept as \xNN, the packet's text is at most
// 256 bytes, and a character is never cut in two.
func TestRejectPacketKeepsAnyBytes(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name           string
		in             skygrid.PacketReject
		mn, packet     string
		detail, remote string
	}{
		{"NUL bytes", skygrid.PacketReject{MN: "A", Reason: "crc", Packet: string(make([]byte, 400))},
			"A", strings.Repeat(`\x00`, 64), "", ""},
		{"not UTF-8", skygrid.PacketReject{MN: "M\xff1", Reason: "crc", Detail: "got \xfe\x00", Remote: "127.0.0.1:9",
			Packet: "##0101QN=\xc3(;CN=2011&&"}, `M\xff1`, `##0101QN=\xc3(;CN=2011&&`, `got \xfe\x00`, "127.0.0.1:9"},
		{"a character across the bound", skygrid.PacketReject{MN: "B", Reason: "length", Packet: strings.Repeat("a", 255) + "监测"},
			"B", strings.Repeat("a", 255), "", ""},
		{"an escape across the bound", skygrid.PacketReject{MN: "C", Reason: "length", Packet: strings.Repeat("a", 254) + "\x00b"},
			"C", strings.Repeat("a", 254), "", ""},
		{"text as it is", skygrid.PacketReject{MN: "D", Reason: "unknown mn", Packet: `##0101QN=1;ST=22;CN=2011;PW=\x;MN=监测1&&`},
			"D", `##0101QN=1;ST=22;CN=2011;PW=\x;MN=监测1&&`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.RejectPacket(ctx, tt.in); err != nil {
				t.Fatal(err)
			}
			list, _, err := db.PacketRejects(ctx, 1)
			if err != nil || len(list) != 1 {
				t.Fatalf("rejects %+v, %v", list, err)
			}
			got := list[0]
			if got.MN != tt.mn || got.Packet != tt.packet || got.Detail != tt.detail || got.Remote != tt.remote || got.Reason != tt.in.Reason {
				t.Errorf("got mn %q packet %q detail %q remote %q reason %q,\nwant mn %q packet %q detail %q remote %q", got.MN, got.Packet,
					got.Detail, got.Remote, got.Reason, tt.mn, tt.packet, tt.detail, tt.remote)
			}
			if len(got.Packet) > 256 {
				t.Errorf("packet of %d bytes kept, want at most 256", len(got.Packet))
			}
		})
	}
}
