package detect_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"skygrid/detect"
)

// Open tells the layout from the header (here FIRMS VIIRS as the area API
// writes it) and Next gives one hotspot a row; a bad row is an error that
// names its line and field, and reading goes on after it.
func ExampleOpen() {
	csv := `latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight
39.70160,113.71214,331.2,0.39,0.36,2023-10-24,0536,N,VIIRS,n,2.0NRT,290.1,3.2,D
NaN,113.7,330.0,0.39,0.36,2023-10-24,0536,N,VIIRS,n,2.0NRT,290.1,3.2,D
`
	r, err := detect.Open(strings.NewReader(csv), "fires.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Format())
	for {
		h, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			fmt.Println("refused:", err)
			continue
		}
		fmt.Println(h.Point, h.AcqTime.Format("2006-01-02 15:04"), h.Satellite, h.Confidence, h.FRP)
	}
	// Output:
	// firms-viirs
	// [113.71214 39.7016] 2023-10-24 05:36 SNPP n 3.2
	// refused: fires.csv:3: field latitude: not a finite number: NaN
}
