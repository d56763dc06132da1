// Package receiver is skygrid's HJ 212-2017 TCP server: site dust monitors
// and air stations connect and stay connected, one goroutine each, and send
// packets that hj212 frames and parses; their readings go to a
// skygrid.ReadingSink. No SQL and no HTTP here.
//
// Per packet: the frame is parsed strictly first. When it is refused for a
// deviation a monitor may be marked lenient for (length, CRC, lower-case
// hex), the MN is read from the segment's text, the monitor looked up, and
// the frame parsed again with that monitor's Lenient; readings so accepted
// carry the deviation in Reading.Deviations. Then MN (a registered
// monitor) and PW (its password) are checked. Every refusal goes to
// Sink.RejectPacket with its reason, the remote address and the first 256
// bytes; the connection stays open, unless more than GarbageLimit bytes
// were skipped on it (a garbage flood), or it is idle for IdleTimeout (on
// the wall clock: it is a socket deadline; Clock gives the times stored).
// A panic while handling a connection ends that connection only; a panic
// of StoreReadings fails its batch (no answer) and the writer goes on.
//
// Answers. The data response (CN 9014) is written only after the batch that
// holds the packet's readings was stored: a device resends what was not
// answered, so a crash loses nothing that was answered, and the sink's
// duplicate rule (same MN and QN, or same kind and data time) stores the
// resend once. A packet the sink failed on gets no answer.
//
// Commands, checked against the command code table of HJ 212-2017 as
// the public implementations of platforms and data loggers quote it (found
// with the project's search tool):
//   - 2011 real-time data (skygrid.ReadingRealtime, values from -Rtd),
//     2051 minute data (ReadingMinute), 2061 hour data (ReadingHour),
//     2031 day data (ReadingDay): values from -Avg, -Rtd when a device sends
//     no -Avg; -Flag kept per factor; TSP, PM10 and PM2.5 converted to µg/m³
//     from the unit their code declares (a34001/a34002/a34004 in mg/m³, the
//     2005-era names in µg/m³: see hj212's doc).
//   - 1013 is the device's time-calibration request (现场机时间校准请求,
//     often with CP=&&PolId=...&&); the answer is a set-time command, CN
//     1012 with SystemTime (hj212.TimeAnswer).
//   - 9014 is the data response (数据应答), platform to device; 9011 and 9012
//     are a device's request answer and execution result to a command of the
//     platform (taken, not stored).
//   - Heartbeats: the 2017 text lists no heartbeat command; data loggers in
//     public code send CN 9015 with an empty CP (Flag 4, 5 or 9), others an
//     empty 2011. Both are taken and not stored, answered with 9014 only when
//     their Flag asks.
//   - A split message (Flag D bit, PNUM/PNO) is stored part by part, each
//     part's reading under QN-PNO, so that resends of a part dedupe. The
//     sink's other duplicate rule (same kind and data time) would keep only
//     the first part of a message whose parts share a DataTime: a store
//     should merge such parts' values (a dust monitor's packet, some 400
//     bytes, is never split).
//
// Writes are batched: packets arriving within BatchWindow of the first are
// stored by one StoreReadings call (one transaction in the store), each
// device answered when its batch returns. See docs/PERFORMANCE.md.
package receiver
