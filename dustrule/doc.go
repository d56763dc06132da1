// Package dustrule holds the dust rules of issue 15: named, parameterised
// rules over a monitor's readings (factor, window, the mean of the valid
// values in it, a limit absolute or over the county's ambient mean for the
// same hour, exceedances allowed per Beijing calendar day) and the data
// quality rules (silence, stuck values, values outside the instrument's
// range, the day's capture rate). It is pure: readings in, alarms out; no
// SQL, no HTTP. What it needs of the past comes through History, and the
// clock is the caller's.
//
// A window counts only when it holds enough valid values (only the flag N,
// or no flag, is valid: skygrid.Reading.Valid): MinValid of the values the
// window should hold, 75% by default. That is the data-validity rule of GB
// 3095-2012 §8 (an hourly mean needs at least 45 minutes of sampling in
// the hour) that HJ 663-2013 applies to assessment; a 5- or 15-minute
// window is held to the same share.
//
// Windows are aligned to Beijing time (UTC+8, no daylight saving since
// 1991): 08:00-09:00, 08:05-08:10..., and a day is a Beijing calendar day.
// Limits are in µg/m³ (readings are stored in µg/m³); a value exactly at
// the limit does not exceed it.
//
// Two ways in: Checker.Series (Rule.Evaluate and Quality.CheckSeries) over
// a series, and Checker.OnReading for readings as they arrive (the windows
// a new reading closes, read through History), with Checker.CheckSilence
// and Checker.CheckDay for what a clock, not a reading, decides. Both give
// the same alarms (TestCheckerAsReadingsArrive).
package dustrule
