package registry

// Name pools for synthetic registries: common Ecuadorian names, with Spanish accents and ñ,
// Kichwa given names and indigenous surnames of the Sierra and the Amazon.
var (
	femaleNames = []string{
		"María", "María", "María", "Ana", "Rosa", "Carmen", "Gabriela", "Fernanda", "José",
		"Daniela", "Andrea", "Verónica", "Mónica", "Sofía", "Valentina", "Camila", "Paola",
		"Jessica", "Diana", "Lucía", "Isabel", "Patricia", "Elizabeth", "Alejandra", "Belén",
		"Mercedes", "Inés", "Dolores", "Genoveva", "Nathaly", "Génesis", "Anahí", "Jimena",
		"Begoña", "Piedad", "Rocío", "Sisa", "Nina", "Killa", "Tamya", "Wayra", "Pakari",
		"Estefanía", "Cristina", "Soledad", "Magdalena", "Mariuxi", "Johanna", "Katherine",
	}
	maleNames = []string{
		"José", "José", "Juan", "Luis", "Carlos", "Jorge", "Pedro", "Miguel", "Ángel", "Andrés",
		"Fernando", "Diego", "Santiago", "Sebastián", "Mateo", "Martín", "Nicolás", "Alejandro",
		"Francisco", "Javier", "Ramón", "Segundo", "Manuel", "Víctor", "Raúl", "Óscar", "Iván",
		"Héctor", "Rubén", "Patricio", "Fabián", "Edison", "Wilson", "Byron", "Jefferson",
		"Bryan", "Jhon", "Iñaki", "Inti", "Amaru", "Rumi", "Atik", "Kuri", "Alberto", "Antonio",
		"Eduardo", "Gonzalo", "Marcelo", "Xavier",
	}
	surnames = []string{
		// Spanish and criollo
		"Álvarez", "Andrade", "Aguilar", "Alcívar", "Benítez", "Bravo", "Calderón", "Cañizares",
		"Cárdenas", "Carrión", "Castañeda", "Castillo", "Cedeño", "Cevallos", "Chávez", "Córdova",
		"Delgado", "Espinoza", "Flores", "García", "Gómez", "González", "Guerrero", "Herrera",
		"Ibáñez", "Intriago", "Jaramillo", "León", "Loor", "López", "Macías", "Martínez",
		"Mendoza", "Mera", "Mora", "Moreira", "Morales", "Muñoz", "Naranjo", "Navarrete",
		"Núñez", "Ordóñez", "Ortiz", "Paredes", "Peña", "Pérez", "Ponce", "Ramírez", "Ramos",
		"Reyes", "Rodríguez", "Romero", "Ruiz", "Salazar", "Sánchez", "Santana", "Suárez",
		"Torres", "Vásquez", "Vélez", "Vera", "Villacís", "Yánez", "Zambrano", "Zamora",
		"Zúñiga", "Montaño", "Quiñónez", "Cortez", "Valencia",
		// Kichwa and other indigenous
		"Quishpe", "Guamán", "Chicaiza", "Tituaña", "Pilataxi", "Toapanta", "Chiluisa",
		"Quinatoa", "Yupanqui", "Caiza", "Lema", "Tenemaza", "Guallichico", "Simbaña",
		"Farinango", "Cabascango", "Morocho", "Sisalema", "Tipán", "Collaguazo", "Guanoluisa",
		"Chasiluisa", "Pillajo", "Ushiña", "Anrango", "Cuji", "Tanguila", "Grefa", "Shiguango",
		"Tsamaraint", "Chalán", "Sarango", "Cujilema", "Pichisaca", "Yupa",
	}
)

// Nationalities of resident foreigners, with their weights among them.
var foreignNationalities = []weighted[string]{
	{"VENEZOLANA", 50}, {"COLOMBIANA", 22}, {"PERUANA", 8}, {"CUBANA", 7},
	{"ESTADOUNIDENSE", 4}, {"ESPAÑOLA", 4}, {"CHINA", 3}, {"ARGENTINA", 2},
}

// provinceWeights spreads cédulas roughly as the population: Guayas and Pichincha most.
var provinceWeights = []weighted[int]{
	{1, 50}, {2, 12}, {3, 15}, {4, 10}, {5, 27}, {6, 30}, {7, 40}, {8, 35}, {9, 250},
	{10, 28}, {11, 30}, {12, 50}, {13, 90}, {14, 12}, {15, 8}, {16, 6}, {17, 180}, {18, 32},
	{19, 7}, {20, 2}, {21, 12}, {22, 10}, {23, 26}, {24, 22}, {30, 5},
}

type weighted[T any] struct {
	v T
	w int
}
