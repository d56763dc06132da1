// Package airdata reads the files of the city's air: air-quality station
// lists and hourly concentrations in the two layouts public archives use.
//
//   - The per-station layout of CNEMC's real-time release as saved by
//     geoinsights/ChinaAQIData (data/airquality/ here): one row per station
//     and hour, station_code,name,city,lon,lat,timepoint,aqi,
//     primarypollutant,quality,pm2_5,pm2_5_24h,pm10,...; it carries the
//     stations' positions too.
//   - The per-day CNEMC layout of the public archives (china_sites_
//     YYYYMMDD.csv, one file a day): date,hour,type,<station code>...,
//     one row per hour and type (PM2.5, PM2.5_24h, PM10, PM10_24h, SO2,
//     SO2_24h, NO2, NO2_24h, O3, O3_24h, O3_8h, O3_8h_24h, CO, CO_24h,
//     AQI); positions come from a stations file.
//   - Station lists: code, name, city, lon, lat (English or CNEMC's
//     Chinese headers 监测点编码, 监测点名称, 城市, 经度, 纬度), network
//     optional (national, provincial, 国控, 省控; default national).
//
// Times in the files are Beijing time; they are returned in UTC. Values
// "-", "-;" or empty are missing. Errors name the file, line and field.
//
// A package of its own, not registry/: these are measurement feeds, not
// registries, and they do not go through the admin page's import kinds
// (skygrid.ImportKinds) nor the fire pipeline the registry importer holds.
// It reads only: the commands store what it returns.
package airdata
