package emulator

// MMS200MI is M3's item API; the emulator serves the seed's items.
//
//	GetItmBasic  in: ITNO!   out: ITNO, ITDS, FUDS, UNMS, STAT
func mms200mi() program {
	return program{
		"GetItmBasic": {inputs: inputs("ITNO!"), run: func(x *exec) ([]record, *nok) {
			it, err := findItem(x, x.get("ITNO"))
			if err != nil {
				return nil, err
			}
			stat := it.STAT
			if stat == "" {
				stat = "20"
			}
			return []record{{"ITNO": it.ITNO, "ITDS": it.ITDS, "FUDS": it.FUDS, "UNMS": it.UNMS, "STAT": stat}}, nil
		}},
	}
}

// findItem is the NOK "Item number X does not exist" on ITNO.
func findItem(x *exec, itno string) (Item, *nok) {
	it, ok := x.md.item(itno)
	if !ok {
		return Item{}, notFound("ITNO", itno, nil)
	}
	return it, nil
}
