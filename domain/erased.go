package domain

// Erased is what a read shows where an erased person was (their id, a
// rater's place in a round): "gewist", Dutch for erased, for the first users
// read Dutch. Nothing of the person is left to show.
const Erased = "gewist"
