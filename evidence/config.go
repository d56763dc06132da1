package evidence

import (
	"fmt"
	"math"
	"skygrid"
)

// Config bounds report photos: their size, the memory their decodes
// take together, and how many each user may send.
type Config struct {
	// MaxMegapixels: larger photos are refused from their header.
	MaxMegapixels float64 `toml:"max_megapixels"`
	// MaxPhotoMiB: larger photo files are refused (at most 15, what the
	// API's bound on a whole report, 5 photos of 15 MiB, lets through).
	MaxPhotoMiB int64 `toml:"max_photo_mib"`
	// DecodeBudgetMiB: the memory the photo decodes running at once may
	// take together (each holds its estimate while it runs; the others
	// wait). At least what the largest accepted photo takes.
	DecodeBudgetMiB int64 `toml:"decode_budget_mib"`
	// UploadsPerMinute: photos each user may send a minute (0: no limit).
	UploadsPerMinute int `toml:"uploads_per_minute"`
}

// DefaultConfig: 52 MP and 15 MiB a photo, a 384 MiB decode budget, 30
// photos a minute.
func DefaultConfig() Config {
	return Config{MaxMegapixels: DefaultMaxPixels / 1e6, MaxPhotoMiB: DefaultMaxBytes >> 20, DecodeBudgetMiB: DefaultDecodeBudget >> 20, UploadsPerMinute: 30}
}

// Limits are the photo limits of the configuration.
func (c Config) Limits() Limits {
	return Limits{MaxBytes: c.MaxPhotoMiB << 20, MaxPixels: int64(math.Round(c.MaxMegapixels * 1e6))}
}

// Photos is the photo store in dir with the configuration's limits,
// decode pool and upload rate.
func (c Config) Photos(dir string) Photos {
	l := c.Limits()
	return Photos{Files: Files{Dir: dir}, MaxBytes: l.MaxBytes, MaxPixels: l.MaxPixels, Pool: NewDecodePool(c.DecodeBudgetMiB << 20),
		Uploads: &UploadRate{PerMinute: c.UploadsPerMinute}}
}

// Validate checks the photo limits.
func (c Config) Validate() error {
	if !(c.MaxMegapixels >= 1 && c.MaxMegapixels <= 200) {
		return fmt.Errorf("photos.max_megapixels %v: between 1 and 200", c.MaxMegapixels)
	}
	if c.MaxPhotoMiB < 1 || c.MaxPhotoMiB > DefaultMaxBytes>>20 {
		return fmt.Errorf("photos.max_photo_mib %d: between 1 and %d (the API takes a report of %d photos of at most %d MiB)", c.MaxPhotoMiB, DefaultMaxBytes>>20, skygrid.MaxPhotos, DefaultMaxBytes>>20)
	}
	if need := (c.Limits().MaxCost() + 1<<20 - 1) >> 20; c.DecodeBudgetMiB < need {
		return fmt.Errorf("photos.decode_budget_mib %d: the largest photo of %v megapixels takes up to %d MiB to read; give at least that", c.DecodeBudgetMiB, c.MaxMegapixels, need)
	}
	if c.UploadsPerMinute != 0 && c.UploadsPerMinute < skygrid.MaxPhotos {
		return fmt.Errorf("photos.uploads_per_minute %d: 0 (no limit) or at least %d, the photos of one report", c.UploadsPerMinute, skygrid.MaxPhotos)
	}
	return nil
}
