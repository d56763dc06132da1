package registry

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"skygrid"

	"github.com/xuri/excelize/v2"
)

// EmergencyColumns are the columns of an emergency list (应急减排清单),
// Chinese or English, first found wins; external_id, contact and phone
// are optional.
var EmergencyColumns = struct{ Name, ExternalID, County, Level, Measures, Contact, Phone string }{
	Name: "名称,企业名称,工地名称,name", ExternalID: "编号,external_id", County: "区县,county", Level: "预警级别,级别,level",
	Measures: "减排措施,措施,measures", Contact: "联系人,contact", Phone: "联系电话,电话,phone",
}

// ReadEmergencyList reads an emergency list from CSV (UTF-8 or GBK) or
// XLSX (its first sheet), one row per site or enterprise and level. Every
// row is checked; any bad one refuses the file, naming every refused row
// by its line (CSV) or sheet and row (XLSX) and the field. Entries carry
// the county as written (an id or a name: the store resolves it) and
// their source "file:line".
func ReadEmergencyList(r io.Reader, name string) ([]*skygrid.EmergencyEntry, error) {
	rows, where, err := emergencyRows(r, name)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: empty: want a header row (名称, 区县, 预警级别, 减排措施, ...)", name)
	}
	cols, err := emergencyHeader(rows[0], name, where(0))
	if err != nil {
		return nil, err
	}
	var errs rowErrs
	var out []*skygrid.EmergencyEntry
	for i, row := range rows[1:] {
		if emptyRow(row) {
			continue
		}
		e, err := emergencyEntry(row, cols)
		if err != nil {
			errs.add(fmt.Errorf("%s: %s: %w", name, where(i+1), err))
			continue
		}
		e.Source = name + ":" + where(i+1)
		out = append(out, e)
	}
	if errs.n > 0 {
		return nil, &skygrid.Error{Code: skygrid.EINVALID, Message: (&ImportError{File: name, Errors: errs.list, Rows: true, Total: errs.n}).Error()}
	}
	if len(out) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: no rows under the header", name)
	}
	return out, nil
}

// emergencyRows reads the file's rows and says where row i is ("line 3",
// "sheet 清单 row 3").
func emergencyRows(r io.Reader, name string) ([][]string, func(int) string, error) {
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		f, err := excelize.OpenReader(r)
		if err != nil {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "%s: not an XLSX workbook: %v", name, err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "%s: sheet %s: %v", name, sheet, err)
		}
		return rows, func(i int) string { return fmt.Sprintf("sheet %s row %d", sheet, i+1) }, nil
	}
	data, err := readText(r, name)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	var rows [][]string
	var lines []int
	header, err := cr.Read()
	if err == io.EOF {
		return nil, func(int) string { return "line 1" }, nil
	} else if err != nil {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "%s: line 1: %v", name, err)
	}
	rows, lines = append(rows, header), append(lines, 1)
	var bad []error
	err = skygrid.EachCSVRow(cr, func(rec []string, line int) error {
		rows, lines = append(rows, rec), append(lines, line)
		return nil
	}, func(line int, err error) { bad = append(bad, fmt.Errorf("%s: line %d: %v", name, line, err)) })
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(bad) > 0 {
		return nil, nil, &skygrid.Error{Code: skygrid.EINVALID, Message: (&ImportError{File: name, Errors: bad, Rows: true}).Error()}
	}
	return rows, func(i int) string { return fmt.Sprintf("line %d", lines[i]) }, nil
}

func emptyRow(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// emergencyCols are the header's column indexes (-1 absent).
type emergencyCols struct{ name, ext, county, level, measures, contact, phone int }

// emergencyHeader finds the columns; name, level and measures are
// required.
func emergencyHeader(header []string, name, where string) (emergencyCols, error) {
	find := func(keys string) int {
		for _, k := range strings.Split(keys, ",") {
			for i, h := range header {
				if strings.EqualFold(strings.TrimSpace(h), k) {
					return i
				}
			}
		}
		return -1
	}
	p := EmergencyColumns
	c := emergencyCols{find(p.Name), find(p.ExternalID), find(p.County), find(p.Level), find(p.Measures), find(p.Contact), find(p.Phone)}
	for _, req := range []struct {
		i    int
		keys string
	}{{c.name, p.Name}, {c.level, p.Level}, {c.measures, p.Measures}} {
		if req.i < 0 {
			return c, skygrid.Errorf(skygrid.EINVALID, "%s: %s: no column %s (header: %s)", name, where, strings.ReplaceAll(req.keys, ",", " or "),
				skygrid.Clip(strings.Join(header, ",")))
		}
	}
	return c, nil
}

// emergencyEntry checks a row's fields and makes an entry of it.
func emergencyEntry(row []string, c emergencyCols) (*skygrid.EmergencyEntry, error) {
	get := func(i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	e := &skygrid.EmergencyEntry{Name: get(c.name), ExternalID: get(c.ext), CountyID: get(c.county), Contact: get(c.contact), Phone: get(c.phone)}
	if e.Name == "" {
		return nil, fmt.Errorf("field 名称 (name): empty")
	}
	for _, f := range []struct {
		field, value string
		lim          skygrid.Limit
	}{{"名称 (name)", e.Name, skygrid.LimitSiteName}, {"编号 (external_id)", e.ExternalID, skygrid.LimitID},
		{"区县 (county)", e.CountyID, skygrid.LimitSiteName}, {"联系人 (contact)", e.Contact, skygrid.LimitSiteName}} {
		if err := checkText(f.lim, f.field, f.value); err != nil {
			return nil, err
		}
	}
	if e.Phone != "" {
		if _, err := skygrid.ParsePhone(e.Phone); err != nil {
			return nil, fmt.Errorf("field 联系电话 (phone): %s", skygrid.ErrorMessage(err))
		}
	}
	level, err := skygrid.ParseWarningLevel(get(c.level))
	if err != nil {
		return nil, fmt.Errorf("field 预警级别 (level): %s", skygrid.ErrorMessage(err))
	}
	e.Level = level
	if e.Measures, err = skygrid.ParseMeasures(get(c.measures)); err != nil {
		return nil, fmt.Errorf("field 减排措施 (measures): %s", skygrid.ErrorMessage(err))
	}
	if len(e.Measures) == 0 {
		return nil, fmt.Errorf("field 减排措施 (measures): empty")
	}
	return e, nil
}
