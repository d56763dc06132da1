// Package frontend holds the built web app, embedded in the binary.
package frontend

import "embed"

// Dist is the built app (npm run build writes dist/).
//
//go:embed all:dist
var Dist embed.FS
