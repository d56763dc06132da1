// Package registry reads the registries skygrid works from (regions and
// their grids, grid supervisors, sites of every kind, heat sources) with
// their checks, their GBK decoding and errors naming file, line and field,
// and is the import service shared by `skygrid import`, `skygrid ingest`
// and the admin page's uploads: one code path, one summary text.
package registry
