// Package aqi computes the air-quality index of HJ 633-2012 《环境空气质量指数
// （AQI）技术规定（试行）》 (Technical Regulation on Ambient Air Quality
// Index, on trial; published by the Ministry of Environmental Protection
// 2012-02-29, in force 2016-01-01 with GB 3095-2012). It is pure: no SQL,
// no HTTP, no clock.
//
// What it follows, clause by clause:
//
//   - Table 1 (空气质量分指数及对应的污染物项目浓度限值): the IAQI grid 0, 50,
//     100, 150, 200, 300, 400, 500 and the breakpoints of every column
//     (SO2, NO2, CO 24-hour and 1-hour; O3 1-hour and 8-hour moving mean;
//     PM10 and PM2.5 24-hour), in µg/m³ and CO in mg/m³. See Columns.
//   - Table 1 note (1): the 1-hour columns of SO2, NO2 and CO serve the
//     real-time (hourly) report only; the daily report uses the 24-hour
//     columns (Daily).
//   - Table 1 note (2): an SO2 1-hour mean above 800 µg/m³ gets no 1-hour
//     IAQI; SO2 is reported with the IAQI of its 24-hour mean. Table 1's
//     SO2 1-hour column therefore stops at IAQI 200 (800 µg/m³).
//   - Table 1 note (3): an O3 8-hour mean above 800 µg/m³ gets no 8-hour
//     IAQI; O3 is reported with the IAQI of its 1-hour mean. The 8-hour
//     column stops at IAQI 300 (800 µg/m³).
//   - The IAQI formula (1): IAQI = (IAQI_Hi − IAQI_Lo)/(BP_Hi − BP_Lo) ×
//     (C − BP_Lo) + IAQI_Lo, with BP_Lo ≤ C ≤ BP_Hi taken from the lowest
//     segment that holds C (so a concentration at a breakpoint gets that
//     breakpoint's IAQI exactly), rounded up to an integer (进位取整) as the
//     standard asks of IAQI and AQI and as CNEMC's published values show
//     (1085A's PM2.5 of 48 µg/m³ gives 66.25, published 67). Rounding up is
//     done on the exact quotient: a tolerance of 1e-9 keeps
//     19.000000000000004 at 19.
//   - Formula (2): AQI = max(IAQI_1 … IAQI_n).
//   - 4.4: when AQI > 50 the pollutant(s) with the largest IAQI are the
//     primary pollutant(s) (首要污染物), ties all named; pollutants with
//     IAQI > 100 exceed the standard (超标污染物).
//   - Table 2 (空气质量指数及相关信息) and Appendix A (colours): levels 优,
//     良, 轻度污染, 中度污染, 重度污染, 严重污染 with RGB 0,228,0 (#00e400),
//     255,255,0 (#ffff00), 255,126,0 (#ff7e00), 255,0,0 (#ff0000),
//     153,0,76 (#99004c), 126,0,35 (#7e0023).
//   - The real-time hourly AQI (Hourly) is computed as the China National
//     Environmental Monitoring Centre (CNEMC) publishes it: the 1-hour
//     columns of SO2, NO2, CO and O3, the O3 8-hour moving mean, and the
//     hourly PM10 and PM2.5 concentrations put through the 24-hour PM
//     columns (Table 1 has no 1-hour PM column). The tests check this
//     against the published AQI of Shanxi's 57 stations for one hour.
//
// A concentration above the top of its column (e.g. PM2.5 above 500 µg/m³)
// is outside the table: the standard gives no formula there. IAQI reports
// 500 with Above set, as published AQI tops out at 500; the choice is
// ours, not the standard's.
//
// Sources read: HJ 633-2012 itself (the ministry's PDF,
// www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/201203/W020120410332725219541.pdf,
// and a text copy at doc.wtbworld.com/doc/32317.html); Table 1's three
// notes as public implementations quote them word for word (e.g.
// caiyunapp/aqi-hub); CNEMC's release notes as quoted in
// github.com/HeQinWill/CNEMC (an hour's mean is that of the hour before its
// label; 8-hour moving means).
package aqi
