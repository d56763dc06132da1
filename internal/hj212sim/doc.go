// Package hj212sim simulates site dust monitors (示例) that speak HJ
// 212-2017 over TCP: for the tests, the demo fleet and the load benchmark.
//
// A Device dials the receiver, sends one data packet (CN 2011 real-time or
// 2051 minute) per simulated interval with Flag asking for the 9014 answer,
// waits for the answer and, when none comes in time or the connection
// drops, reconnects and resends the same packet (same QN). It sends a
// heartbeat when idle and answers nothing. A Fleet runs many devices on
// persistent connections, paced by a compressed clock or a packet rate.
//
// The values follow Air: Datong's PM10 level from the six national
// stations' hour (data/), an invented daily shape, a site excess on top and
// noise, deterministic for a seed. DemoScenario gives the demo's
// construction sites their monitors (a few exceed, one goes silent, one
// sticks, one sends a Modbus CRC) and WriteMonitorsCSV the file `skygrid
// import monitors` reads.
//
// The package does no SQL and no HTTP.
package hj212sim
