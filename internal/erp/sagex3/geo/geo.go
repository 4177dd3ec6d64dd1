// Package geo holds the address reference data Sage X3 validates against: ISO 3166-1 alpha-2
// country codes (CRY) and the state/province codes (SAT) of countries where X3 checks them
// (US, CA). The connector normalises with it before posting; the sandbox validates with it.
package geo

import (
	"strings"
)

// isoCountries lists the ISO 3166-1 alpha-2 codes (officially assigned).
const isoCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// countryNames maps common names and alpha-3 codes to alpha-2 (lower-case keys).
var countryNames = map[string]string{
	"usa": "US", "united states": "US", "united states of america": "US", "u.s.": "US", "u.s.a.": "US",
	"can": "CA", "canada": "CA", "gbr": "GB", "united kingdom": "GB", "uk": "GB", "great britain": "GB",
	"fra": "FR", "france": "FR", "deu": "DE", "germany": "DE", "esp": "ES", "spain": "ES", "ita": "IT", "italy": "IT",
	"mex": "MX", "mexico": "MX", "aus": "AU", "australia": "AU", "jpn": "JP", "japan": "JP", "irl": "IE", "ireland": "IE",
	"nld": "NL", "netherlands": "NL", "che": "CH", "switzerland": "CH", "bel": "BE", "belgium": "BE", "prt": "PT", "portugal": "PT",
	"kwt": "KW", "kuwait": "KW", "chn": "CN", "china": "CN", "ind": "IN", "india": "IN", "bra": "BR", "brazil": "BR",
}

// usStates maps US state, district and territory names to USPS codes.
var usStates = map[string]string{
	"alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
	"connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA", "hawaii": "HI",
	"idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
	"maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
	"missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
	"new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
	"oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
	"tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
	"west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
	"us virgin islands": "VI", "american samoa": "AS", "northern mariana islands": "MP",
}

// caProvinces maps Canadian province and territory names to their codes.
var caProvinces = map[string]string{
	"alberta": "AB", "british columbia": "BC", "manitoba": "MB", "new brunswick": "NB", "newfoundland and labrador": "NL",
	"nova scotia": "NS", "northwest territories": "NT", "nunavut": "NU", "ontario": "ON", "prince edward island": "PE",
	"quebec": "QC", "québec": "QC", "saskatchewan": "SK", "yukon": "YT",
}

var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(isoCountries) {
		m[c] = true
	}
	return m
}()

// KnownCountry reports whether code is an upper-case ISO 3166-1 alpha-2 code.
func KnownCountry(code string) bool { return countries[code] }

// NormalizeCountry maps "us", "USA" or "United States" to "US"; ok is false for anything unknown.
func NormalizeCountry(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if up := strings.ToUpper(s); countries[up] {
		return up, true
	}
	code, ok = countryNames[strings.ToLower(s)]
	return code, ok
}

// checksStates reports whether X3 validates state codes for country.
func checksStates(country string) map[string]string {
	switch country {
	case "US":
		return usStates
	case "CA":
		return caProvinces
	}
	return nil
}

// ValidState reports whether state is acceptable for country: a known upper-case code where X3
// checks states (US, CA), anything elsewhere.
func ValidState(country, state string) bool {
	names := checksStates(country)
	if names == nil || state == "" {
		return true
	}
	for _, code := range names {
		if code == state {
			return true
		}
	}
	return false
}

// NormalizeState maps "Illinois" or "il" to "IL" for countries whose states X3 checks; other
// countries' states are only trimmed. ok is false for an unknown US/CA state.
func NormalizeState(country, s string) (string, bool) {
	s = strings.TrimSpace(s)
	names := checksStates(country)
	if names == nil || s == "" {
		return s, true
	}
	if up := strings.ToUpper(s); ValidState(country, up) {
		return up, true
	}
	code, ok := names[strings.ToLower(s)]
	return code, ok
}
