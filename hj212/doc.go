// Package hj212 has one job: HJ 212-2017 packets in and out. It frames,
// checks and parses the packets that online monitors (construction-site
// dust monitors among them) send over TCP, and builds the platform's
// answers. It does no I/O of its own beyond the io.Reader it is handed,
// no SQL and no HTTP; who may send what, and what is stored, is the
// caller's business.
//
// A packet is "##", a 4-digit decimal length of the data segment, the data
// segment, 4 upper-case hex digits of the CRC (appendix A of the standard,
// CRC) and CR LF. Parse refuses a packet with a *Refusal naming its Reason.
// Some devices deviate from the standard (a length that counts the CRC and
// CR LF too, a Modbus CRC-16, lower-case hex); Parse accepts such a packet
// only when the caller's Lenient allows that deviation for the device, and
// then lists it in Packet.Deviations so the readings can be stored flagged.
//
// Fields: ST, CN, PW and MN are required. QN and Flag are required by the
// 2017 text but 2005-era devices omit them (the real packet in testdata
// has neither): a packet without them parses, and Packet.HasQN and
// Packet.HasFlag say so; a packet whose Flag asks for an answer must carry
// QN, since the answer echoes it.
//
// Units. Parse never converts: a Value is returned as sent with the unit
// its code declares (Unit). The 2017 codes of particulates (a34001 TSP,
// a34002 PM10, a34004 PM2.5) are in mg/m³ as the standard's table B gives
// them; the 2005-era names (TSP, PM10, PM25) are taken as µg/m³, as the
// air monitors that send them do (PM10-Rtd=374.0 in the real packet is a
// µg/m³ figure). A device that sends µg/m³ under a 2017 code exists; the
// caller decides per device, and Microgram converts a value to µg/m³ from
// the unit it is declared in.
//
// Data flags: only N is a valid reading (Reading.Valid); every other flag
// (F stopped, M maintenance, S manual, D fault, C calibration, T over
// range, B communications...) is kept and marks the reading invalid.
package hj212
