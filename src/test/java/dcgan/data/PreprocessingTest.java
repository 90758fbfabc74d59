package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PreprocessingTest {

    @Test
    void backgroundNamesAndNumbers() {
        assertEquals(Background.WHITE, Background.parse("white"));
        assertEquals(Background.WHITE, Background.parse(" White "));
        assertEquals(Background.BLACK, Background.parse("BLACK"));
        assertEquals(new Background(12, 0, 255), Background.parse("12,0,255"));
        assertEquals(new Background(1, 2, 3), Background.parse(" 1, 2 ,3 "));
        assertEquals(new Background(255, 255, 255), Background.parse("255,255,255"));
        assertEquals("white", Background.WHITE.toString());
        assertEquals("black", Background.BLACK.toString());
        assertEquals("12,0,255", new Background(12, 0, 255).toString());
        assertTrue(new Background(7, 7, 7).grey());
        assertFalse(new Background(7, 7, 8).grey());
    }

    @Test
    void backgroundErrorsNameTheOptionAndWhatItTakes() {
        assertBadBackground("pink", "--background needs white, black or R,G,B with each of R, G and B in 0..255, "
                + "e.g. 128,128,128, got 'pink'");
        assertBadBackground("", "--background needs white, black or R,G,B");
        assertBadBackground("1,2", "got '1,2'");
        assertBadBackground("1,2,3,4", "got '1,2,3,4'");
        assertBadBackground("1,x,3", "--background '1,x,3': 'x' is not a whole number; expected white, black or R,G,B");
        assertBadBackground("1,,3", "--background '1,,3': '' is not a whole number");
        assertBadBackground("1.5,2,3", "'1.5' is not a whole number");
        assertBadBackground("256,0,0", "--background '256,0,0': 256 is outside 0..255");
        assertBadBackground("0,-1,0", "--background '0,-1,0': -1 is outside 0..255");
        assertThrows(IllegalArgumentException.class, () -> new Background(0, 0, 300));
    }

    private static void assertBadBackground(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Background.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void sizeAndChannelOptions() {
        assertEquals(Preprocessing.AUTO, Preprocessing.parseSize("auto"));
        assertEquals(28, Preprocessing.parseSize("28"));
        assertEquals(32, Preprocessing.parseSize(" 32"));
        assertEquals(64, Preprocessing.parseSize("64"));
        assertEquals(Preprocessing.AUTO, Preprocessing.parseChannels("AUTO"));
        assertEquals(1, Preprocessing.parseChannels("1"));
        assertEquals(3, Preprocessing.parseChannels("3"));
        for (String bad : new String[] {"48", "0", "-28", "", "64px", "028"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Preprocessing.parseSize(bad));
            assertEquals("--image-size needs 28, 32, 64 or auto, got '" + bad + "'", e.getMessage());
        }
        for (String bad : new String[] {"2", "4", "rgb", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Preprocessing.parseChannels(bad));
            assertEquals("--channels needs 1, 3 or auto, got '" + bad + "'", e.getMessage());
        }
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new Preprocessing(48, 0, Background.WHITE));
        assertEquals("--image-size needs 28, 32, 64 or auto, got 48", size.getMessage());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> new Preprocessing(0, 2, Background.WHITE));
        assertEquals("--channels needs 1, 3 or auto, got 2", channels.getMessage());
    }

    @Test
    void automaticSize() {
        Preprocessing auto = Preprocessing.DEFAULT;
        assertEquals(28, auto.sizeFor(true, 28, 28));
        assertEquals(32, auto.sizeFor(true, 32, 32));
        assertEquals(64, auto.sizeFor(true, 64, 64));
        assertEquals(64, auto.sizeFor(true, 48, 48), "a square size the models do not have");
        assertEquals(64, auto.sizeFor(true, 32, 28), "not square");
        assertEquals(64, auto.sizeFor(false, 32, 32), "several sizes");
        assertEquals(64, auto.sizeFor(true, 178, 218));
        assertEquals(28, new Preprocessing(28, 0, Background.WHITE).sizeFor(true, 64, 64));
        assertEquals(32, new Preprocessing(32, 0, Background.WHITE).sizeFor(false, 5, 7));
    }

    @Test
    void automaticChannels() {
        assertEquals(1, Preprocessing.DEFAULT.channelsFor(true));
        assertEquals(3, Preprocessing.DEFAULT.channelsFor(false));
        assertEquals(3, new Preprocessing(0, 3, Background.WHITE).channelsFor(true));
        assertEquals(1, new Preprocessing(0, 1, Background.WHITE).channelsFor(false));
        assertEquals("size auto, channels auto, background white", Preprocessing.DEFAULT.toString());
        assertEquals("size 32, channels 3, background 1,2,3", new Preprocessing(32, 3, new Background(1, 2, 3))
                .toString());
    }
}
