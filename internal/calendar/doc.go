// Package calendar holds Ecuador's legal calendar: which days are business
// days, and when a deadline given in a notification falls due.
//
// Holidays follow the Código del Trabajo (art. 65, as reformed in 2016) and
// can be corrected with data — decrees that add a non-working day or make a
// holiday a working day — loaded from a file or entered by the platform
// administrator (see [Override] and [ParseOverrides]). Deadlines follow the
// Código Orgánico Administrativo (arts. 158-160): términos count business
// days, plazos run date to date (see [Calendar.Due]).
//
// Every date is a civil date in Ecuador's time zone ([Zone], UTC−5, no
// daylight saving time); the package does not read the system's tzdata.
package calendar
