package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Areas kept as owned-page and area-start bits: adjacent areas stay apart, and one is forgotten whole. */
class OwnedAreasTest {
    private final OwnedAreas areas = new OwnedAreas(10_000);

    @Test
    void adjacentAreasEndAtTheNextStart() {
        areas.add(4096 - 2, 4096 + 3);
        areas.add(4096 + 3, 4096 + 70);
        areas.add(9000, 9001);
        assertEquals(4096 - 2, areas.areaStart(4096 + 2));
        assertEquals(4096 + 3, areas.areaEnd(4096 - 2));
        assertEquals(4096 + 3, areas.areaStart(4096 + 69));
        assertEquals(4096 + 70, areas.areaEnd(4096 + 3));
        assertEquals(9001, areas.areaEnd(9000));
        assertEquals(4096 + 3, areas.nextAreaStart(4096 - 1));
        assertEquals(9000, areas.nextAreaStart(4096 + 4));
        assertEquals(10_000, areas.nextAreaStart(9001));
    }

    @Test
    void removingAnAreaForgetsItWholeAndLeavesItsNeighbour() {
        areas.add(10, 20);
        areas.add(20, 30);
        assertEquals(10, areas.remove(20));
        assertFalse(areas.owns(20));
        assertFalse(areas.owns(29));
        assertTrue(areas.owns(19));
        assertEquals(20, areas.areaEnd(10));
        assertEquals(19, areas.lastOwned(0, 25));
        assertEquals(10, areas.firstOwned(0, 25));
        assertEquals(25, areas.firstOwned(20, 25));
        assertEquals(10, areas.nextAreaStart(0));
        assertEquals(10_000, areas.nextAreaStart(11));
    }

    @Test
    void anAreaOverOwnedPagesIsRefused() {
        areas.add(10, 20);
        assertThrows(IllegalStateException.class, () -> areas.add(15, 25));
        assertThrows(IllegalStateException.class, () -> areas.add(5, 5));
        assertThrows(IllegalStateException.class, () -> areas.add(19, 20), "a one-page area over an owned page");
        assertEquals(20, areas.areaEnd(10));
        areas.add(20, 21);
        assertEquals(20, areas.areaStart(20), "a one-page area starts where it is");
        assertEquals(20, areas.areaEnd(10));
        assertEquals(21, areas.areaEnd(20));
    }
}
