#!/bin/sh
# make.sh writes the synthetic test photos of this folder: small images from
# gen.go, with EXIF set by exiftool (Debian: libimage-exiftool-perl). The
# outputs are committed; the tests do not need exiftool or this script.
#
# The test event is at lon 113.69, lat 39.70, first seen 2023-10-24T05:30:00Z
# (13:30 Beijing time).
set -eu
cd "$(dirname "$0")"
command -v exiftool >/dev/null || { echo "make.sh: exiftool not found (apt-get install libimage-exiftool-perl)" >&2; exit 1; }

go run gen.go

tag() { exiftool -q -overwrite_original -all= "$@"; }

# gps LAT LON: northern and eastern hemispheres, as in Datong.
gps() { echo "-GPSLatitude=$1" "-GPSLatitudeRef=N" "-GPSLongitude=$2" "-GPSLongitudeRef=E"; }

tag $(gps 39.7003 113.6897) -DateTimeOriginal='2023:10:24 14:05:00' -OffsetTimeOriginal='+08:00' at_event.jpg
tag $(gps 39.745 113.69) -DateTimeOriginal='2023:10:24 14:20:00' -OffsetTimeOriginal='+08:00' far_5km.jpg
tag $(gps 39.7003 113.6897) -DateTimeOriginal='2023:10:24 08:00:00' -OffsetTimeOriginal='+08:00' early.jpg
tag -DateTimeOriginal='2023:10:24 14:05:00' -OffsetTimeOriginal='+08:00' no_gps.jpg
# No OffsetTimeOriginal: the reader takes the time as Beijing time.
tag $(gps 39.7003 113.6897) -DateTimeOriginal='2023:10:24 14:05:00' no_offset.jpg
tag $(gps 39.7003 113.6897) -Orientation#=6 -DateTimeOriginal='2023:10:24 14:10:00' -OffsetTimeOriginal='+08:00' rotated.jpg

printf 'This is a text file, not a photo.\n' > not_image.jpg

exiftool -q -q -n -G1 -GPSLatitude -GPSLongitude -DateTimeOriginal -OffsetTimeOriginal -Orientation -ImageSize \
	at_event.jpg far_5km.jpg early.jpg no_gps.jpg no_offset.jpg rotated.jpg photo.png
