// Package firms is the client of the NASA FIRMS area API: the request, its
// retries and transaction budget, the masking of the MAP_KEY in what it
// says, and the feed's settings (key, mirror, sources, interval). It is the
// one place that speaks HTTP to FIRMS, so that detect only reads files;
// firmstest is its local stand-in for tests.
package firms
