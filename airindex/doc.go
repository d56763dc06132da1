// Package airindex evaluates ambient air quality over a period (a month or
// a year) from hourly concentrations, by HJ 663-2013 《环境空气质量评价技术
// 规范（试行）》 (Technical regulation for ambient air quality assessment,
// on trial; Ministry of Environmental Protection, published 2013-09-22, in
// force 2013-10-01), and ranks counties by the comprehensive index
// (环境空气质量综合指数). It is pure: no SQL, no HTTP, no clock. Ranking (a
// small service over a Source) is the skygrid.AirRankingService; the store
// only reads the stations and their hours.
//
// It is a package of its own, not part of aqi: aqi is HJ 633-2012, the
// index of one hour or one day; this is HJ 663-2013, the evaluation of a
// period (capture rules, statistics, percentiles, the comprehensive
// index), a different standard and a different question. It uses aqi for
// every IAQI and the daily AQI.
//
// What it follows:
//
//   - Data capture (GB 3095-2012 §8 Table 4 数据统计的有效性规定, repeated by
//     HJ 663-2013 §6 数据统计要求): a 24-hour mean of SO2, NO2, CO, PM10 and
//     PM2.5 needs at least 20 hourly means in the day; an 8-hour O3 mean at
//     least 6 hourly means in its 8 hours; the daily maximum 8-hour O3 at
//     least 14 valid 8-hour means among those ending 08:00 to 24:00 (the
//     windows inside the day), and, with fewer, it still counts when its
//     maximum exceeds the 8-hour limit (160 µg/m³): a day proven bad is not
//     thrown away; a month needs at least 27 valid daily values (February
//     25), a year 324. Days are Beijing calendar days; an hour is labelled by
//     its end (skygrid.AirHourLabel), so a day's hours are labelled 01:00 to
//     24:00 (the next day's 00:00).
//   - Statistics (HJ 663-2013 §5 and Appendix A): the period's SO2, NO2,
//     PM10 and PM2.5 are the arithmetic means of the valid daily means; CO
//     is the 95th percentile of the daily means; O3 the 90th percentile of
//     the daily maximum 8-hour means. The percentile (Appendix A): sort the
//     n values ascending X(1)..X(n), k = 1 + (n−1)·p/100, s the integer part
//     of k, m_p = X(s) + (X(s+1) − X(s))·(k − s) (Percentile).
//   - A county with several stations (城市点位): each station's daily values
//     are computed by the rules above, and the county's daily value of a
//     pollutant is the arithmetic mean of its stations' valid daily values
//     (HJ 663-2013 §5: a city's concentration is the mean of its assessment
//     points); a day with no valid station is missing.
//   - Good days: the daily AQI of HJ 633-2012 (aqi.Daily: the 24-hour means,
//     the day's largest 1-hour O3 and its largest 8-hour O3) on the county's
//     daily values; a day counts when all six pollutants are valid; good
//     (优良) when AQI ≤ 100. The share is good days over valid days, and
//     only when the period has enough valid days.
//   - The comprehensive index (综合指数): I_i = C_i / S_i with S_i the
//     secondary limits of GB 3095-2012 Table 1: annual SO2 60, NO2 40,
//     PM10 70, PM2.5 35 µg/m³; CO its 24-hour limit 4 mg/m³; O3 its daily
//     maximum 8-hour limit 160 µg/m³; the index is the sum of the six.
//     Concentrations are rounded before (GB/T 8170, round half to even:
//     µg/m³ to integers, CO to 0.1 mg/m³) and the index to two decimals, as
//     the rankings are published. Counties with equal indexes share a rank
//     (并列), the next rank skips (1, 2, 2, 4).
//   - GB 3095-2012's 2018 amendment (修改单, MEE and SAMR notice of
//     2018-08-13, in force 2018-09-01): gaseous pollutants (SO2, NO2, CO, O3)
//     are at the reference state (298.15 K, 1013.25 hPa), particulates
//     (PM10, PM2.5) at the actual temperature and pressure (实况). This
//     package converts nothing: it takes the concentrations as the stations
//     publish them, which follow the amendment since September 2018; hours
//     from before then mix states, and a year-ago comparison across that
//     date would too (not a case for skygrid's data).
//
// A figure the capture rules do not allow is nil, with the reason in
// Chinese in the notes; never a number made from too few days.
//
// Sources read: the standard's own text could not be opened here beyond
// its table of contents (the search tool's copies of HJ 663-2013 give its
// contents and §6 heading only); the rules above are as GB 3095-2012 Table
// 4 gives them (a copy of its tables was read) and as secondary sources
// quote HJ 663: the percentile formula as quoted with a worked example
// (blog.csdn.net, "污染物浓度序列第p百分位数"; its example {2,3,4,4,5,8},
// p = 90 gives 6.5, a test here); the comprehensive index and the limits
// as the 城市环境空气质量排名技术规定 (环办监测〔2018〕19号) and provincial
// ranking notices state them (e.g. Anhui's: SO2, NO2, PM10, PM2.5 by their
// annual secondary limits, O3 and CO by their daily ones; ties 并列); the
// 2018 amendment from the MEE notice's text. The O3 exceedance exception
// (fewer than 14 windows) is from memory of HJ 663's Table and should be
// checked against the printed standard.
package airindex
