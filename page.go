package skygrid

// Page is what a list says of the page it returns, besides its items.
type Page struct {
	// Total counts every match, of every page. Counts are kept between
	// requests until the data changes; TotalExact is false when Total is
	// the count from before the last change (a new one is being made and
	// comes with a later request).
	Total      int
	TotalExact bool
	// Next is the cursor of the page after this one ("" after the last);
	// Prev the cursor of the page before it ("" on the first, or when not
	// known: a page reached by offset, or an empty page).
	Next, Prev string
}
